import Testing

@testable import Neural

@Suite("Zero padding after the last row and column")
struct PadTrailingTests {
    @Test("y is x on its first H × W and zero in the new row and column; ∂L/∂x is ∂L/∂y cropped")
    func padding() {
        let tape = Tape()
        let parameter = Parameter(name: "x", value: Tensor(shape: [1, 2, 2, 3], values: (1...12).map(Float.init)))
        let x = tape.parameter(parameter)
        let y = tape.padTrailing(x)
        let value = tape.value(y)
        #expect(value.shape == [1, 2, 3, 4])
        #expect(value.values == [1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0, 7, 8, 9, 0, 10, 11, 12, 0, 0, 0, 0, 0])
        // L = Σ y ⊙ u with u = 1…24, so ∂L/∂y = u.
        let loss = tape.record(Tensor(zeros: [1])) { tape, dy in
            let gradient = tape.gradientToAccumulate(y)
            for index in 0..<gradient.count { gradient[index] += dy[0] * Float(index + 1) }
        }
        tape.backward(from: loss)
        #expect(parameter.gradient.values == [1, 2, 3, 5, 6, 7, 13, 14, 15, 17, 18, 19])
    }
}
