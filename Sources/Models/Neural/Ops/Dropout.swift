import Stochastic

/// Inverted dropout: each element is kept with probability 1 − p and scaled by 1/(1 − p),
/// else set to 0, so E[y] = x and inference needs no rescaling: y = x·m with
/// m = 1/(1 − p) or 0. Backward: ∂L/∂x += m·∂L/∂y. The identity (x itself, no draw from
/// the stream) when p = 0 or when the tape is not recording (inference).
extension Tape {
    public func dropout(_ x: Variable, probability: Float, stream: inout RandomStream) -> Variable {
        precondition(probability >= 0 && probability < 1, "dropout: probability \(probability) must lie in [0, 1)")
        guard probability > 0 && isRecording else { return x }
        let input = value(x), count = input.count
        let output = scratch(input.shape), mask = scratch(input.shape)
        let keep = 1 / (1 - probability), threshold = Double(probability)
        let source = input.pointer, target = output.pointer, m = mask.pointer
        for index in 0..<count { m[index] = stream.uniform() < threshold ? 0 : keep }
        for index in 0..<count { target[index] = source[index] * m[index] }
        return record(output, extras: [mask]) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x).pointer
            for index in 0..<count { dx[index] += dy.pointer[index] * m[index] }
        }
    }
}
