/// The same elements in the same row-major order under a new shape (a copy, so the tape's
/// pool never holds one buffer twice). Backward: ∂L/∂x += ∂L/∂y element by element.
extension Tape {
    public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
        let input = value(x)
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == input.count, "reshape: cannot view \(input.shape) as \(shape)")
        let output = scratch(shape)
        output.copy(from: input)
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x).pointer
            for index in 0..<dy.count { dx[index] += dy.pointer[index] }
        }
    }
}
