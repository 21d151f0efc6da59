/// y = a ⊙ b, element-wise, same shapes (gates, masks). Backward: ∂L/∂a += ∂L/∂y ⊙ b and
/// ∂L/∂b += ∂L/∂y ⊙ a (so multiply(x, x) gives 2x ⊙ ∂L/∂y).
extension Tape {
    public func multiply(_ a: Variable, _ b: Variable) -> Variable {
        let left = value(a), right = value(b), count = left.count
        precondition(left.shape == right.shape, "multiply: shapes \(left.shape) and \(right.shape)")
        let output = scratch(left.shape)
        let x = left.pointer, y = right.pointer, target = output.pointer
        for index in 0..<count { target[index] = x[index] * y[index] }
        return record(output) { tape, dy in
            let upstream = dy.pointer
            for (input, other) in [(a, y), (b, x)] where tape.needsGradient(input) {
                let dx = tape.gradientToAccumulate(input).pointer
                for index in 0..<count { dx[index] += upstream[index] * other[index] }
            }
        }
    }
}
