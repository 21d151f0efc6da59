/// y = a + b, element-wise, same shapes (residual connections). Backward: both inputs
/// receive ∂L/∂y.
extension Tape {
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        let left = value(a), right = value(b), count = left.count
        precondition(left.shape == right.shape, "add: shapes \(left.shape) and \(right.shape)")
        let output = scratch(left.shape)
        for index in 0..<count { output.pointer[index] = left.pointer[index] + right.pointer[index] }
        return record(output) { tape, dy in
            for input in [a, b] where tape.needsGradient(input) {
                let dx = tape.gradientToAccumulate(input).pointer
                for index in 0..<count { dx[index] += dy.pointer[index] }
            }
        }
    }
}
