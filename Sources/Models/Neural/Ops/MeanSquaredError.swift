/// The mean squared error L = (1/N) Σᵢ (pᵢ − yᵢ)² over all N elements: DDPM's simplified
/// loss ‖ε − ε_θ(xₜ, t)‖² averaged over the batch and the coordinates (eq. 14).
/// Backward: ∂L/∂pᵢ = 2(pᵢ − yᵢ)/N, and the negative for yᵢ.
extension Tape {
    public func meanSquaredError(_ prediction: Variable, _ target: Variable) -> Variable {
        let p = value(prediction), y = value(target), count = p.count
        precondition(p.shape == y.shape, "meanSquaredError: shapes \(p.shape) and \(y.shape)")
        var sum: Double = 0
        for index in 0..<count {
            let difference = Double(p.pointer[index] - y.pointer[index])
            sum += difference * difference
        }
        let output = scratch([1])
        output[0] = Float(sum / Double(count))
        return record(output) { tape, dy in
            let scale = 2 * dy[0] / Float(count)
            for (input, sign) in [(prediction, Float(1)), (target, Float(-1))] where tape.needsGradient(input) {
                let dx = tape.gradientToAccumulate(input).pointer
                for index in 0..<count { dx[index] += sign * scale * (p.pointer[index] - y.pointer[index]) }
            }
        }
    }
}
