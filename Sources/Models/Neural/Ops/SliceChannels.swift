/// A block of channels: x [B, C, …] → y [B, n, …] with y[b, k] = x[b, start + k] for the
/// n = `channels.count` channels of `channels` (AutoencoderKL's moments [μ, log σ²] split in
/// two halves). The inverse of `concatChannels`. Backward: ∂L/∂y lands in its channel block
/// of ∂L/∂x.
extension Tape {
    public func sliceChannels(_ x: Variable, _ channels: Range<Int>) -> Variable {
        let input = value(x)
        precondition(input.shape.count >= 2 && channels.lowerBound >= 0 && channels.upperBound <= input.shape[1] && !channels.isEmpty,
                     "sliceChannels: channels \(channels) must be a non-empty part of 0..<\(input.shape.count >= 2 ? input.shape[1] : 0) in \(input.shape)")
        let batch = input.shape[0], trailing = Array(input.shape.dropFirst(2))
        let spatial = trailing.reduce(1, *), sampleSize = input.shape[1] * spatial
        let block = channels.count * spatial, offset = channels.lowerBound * spatial
        let output = scratch([batch, channels.count] + trailing)
        for b in 0..<batch { (output.pointer + b * block).update(from: input.pointer + b * sampleSize + offset, count: block) }
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x).pointer
            for b in 0..<batch {
                let source = dy.pointer + b * block, target = dx + b * sampleSize + offset
                for index in 0..<block { target[index] += source[index] }
            }
        }
    }
}
