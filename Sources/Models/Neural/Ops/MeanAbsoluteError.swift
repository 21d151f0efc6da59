/// The mean absolute error L = (1/N) Σᵢ |pᵢ − yᵢ| over all N elements (the L1 reconstruction
/// loss of an autoencoder). Backward, a subgradient: ∂L/∂pᵢ = sign(pᵢ − yᵢ)/N with
/// sign(0) = 0, and the negative for yᵢ.
extension Tape {
    public func meanAbsoluteError(_ prediction: Variable, _ target: Variable) -> Variable {
        let p = value(prediction), y = value(target), count = p.count
        precondition(p.shape == y.shape, "meanAbsoluteError: shapes \(p.shape) and \(y.shape)")
        var sum: Double = 0
        for index in 0..<count { sum += Double(abs(p.pointer[index] - y.pointer[index])) }
        let output = scratch([1])
        output[0] = Float(sum / Double(count))
        return record(output) { tape, dy in
            let scale = dy[0] / Float(count)
            for (input, sign) in [(prediction, Float(1)), (target, Float(-1))] where tape.needsGradient(input) {
                let dx = tape.gradientToAccumulate(input).pointer
                for index in 0..<count {
                    let difference = p.pointer[index] - y.pointer[index]
                    let direction: Float = difference > 0 ? 1 : (difference < 0 ? -1 : 0)
                    dx[index] += sign * scale * direction
                }
            }
        }
    }
}
