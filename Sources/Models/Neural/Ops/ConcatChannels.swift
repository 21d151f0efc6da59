/// Concatenation along channels: [B, C₁, …], [B, C₂, …], … → [B, C₁ + C₂ + …, …], the same
/// batch and spatial dimensions throughout (a U-Net's skip connections). Backward: each
/// input receives its own channel block of ∂L/∂y.
extension Tape {
    public func concatChannels(_ parts: [Variable]) -> Variable {
        precondition(!parts.isEmpty, "concatChannels needs at least one input")
        let first = value(parts[0]).shape
        precondition(first.count >= 2, "concatChannels: inputs must be [B, C, …], got \(first)")
        let batch = first[0], trailing = Array(first.dropFirst(2))
        let spatial = trailing.reduce(1, *)
        let channels = parts.map { value($0).shape.count >= 2 ? value($0).shape[1] : 0 }
        for part in parts {
            let shape = value(part).shape
            precondition(shape.count == first.count && shape[0] == batch && Array(shape.dropFirst(2)) == trailing,
                         "concatChannels: \(shape) does not match \(first) outside the channel dimension")
        }
        let total = channels.reduce(0, +)
        let output = scratch([batch, total] + trailing)
        let sampleSize = total * spatial
        var offset = 0
        for (part, count) in zip(parts, channels) {
            let block = count * spatial, source = value(part).pointer
            for b in 0..<batch { (output.pointer + b * sampleSize + offset).update(from: source + b * block, count: block) }
            offset += block
        }
        return record(output) { tape, dy in
            var offset = 0
            for (part, count) in zip(parts, channels) {
                let block = count * spatial
                defer { offset += block }
                guard tape.needsGradient(part) else { continue }
                let dx = tape.gradientToAccumulate(part).pointer
                for b in 0..<batch {
                    let source = dy.pointer + b * sampleSize + offset, target = dx + b * block
                    for index in 0..<block { target[index] += source[index] }
                }
            }
        }
    }
}
