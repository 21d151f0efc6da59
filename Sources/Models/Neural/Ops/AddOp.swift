/// y = a + b, element-wise, same shapes (residual connections). Backward: both inputs
/// receive ∂L/∂y. Large tensors are split over the threads (`Parts.elements`).
extension Tape {
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        let left = value(a), right = value(b)
        precondition(left.shape == right.shape, "add: shapes \(left.shape) and \(right.shape)")
        let output = scratch(left.shape)
        Parts.elements(left.count) { range in
            for index in range { output.pointer[index] = left.pointer[index] + right.pointer[index] }
        }
        return record(output) { tape, dy in
            for input in [a, b] where tape.needsGradient(input) {
                let dx = tape.gradientToAccumulate(input)
                Parts.elements(dy.count) { range in
                    for index in range { dx.pointer[index] += dy.pointer[index] }
                }
            }
        }
    }
}
