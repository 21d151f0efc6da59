import Testing

@testable import Neural

@Suite("A block of channels")
struct SliceChannelsTests {
    @Test("y is x's channels 1 and 2 of each sample; ∂L/∂x is ∂L/∂y in those channels and zero elsewhere")
    func slicing() {
        let tape = Tape()
        // x [2, 3, 2]: sample b, channel c, position s holds 100·b + 10·c + s.
        var values: [Float] = []
        for b in 0..<2 { for c in 0..<3 { for s in 0..<2 { values.append(Float(100 * b + 10 * c + s)) } } }
        let parameter = Parameter(name: "x", value: Tensor(shape: [2, 3, 2], values: values))
        let x = tape.parameter(parameter)
        let y = tape.sliceChannels(x, 1..<3)
        #expect(tape.value(y).shape == [2, 2, 2])
        #expect(tape.value(y).values == [10, 11, 20, 21, 110, 111, 120, 121])
        // L = Σ y ⊙ u with u = 1…8, so ∂L/∂y = u.
        let loss = tape.record(Tensor(zeros: [1])) { tape, dy in
            let gradient = tape.gradientToAccumulate(y)
            for index in 0..<gradient.count { gradient[index] += dy[0] * Float(index + 1) }
        }
        tape.backward(from: loss)
        #expect(parameter.gradient.values == [0, 0, 1, 2, 3, 4, 0, 0, 5, 6, 7, 8])
    }

    @Test("The two halves of concatChannels' output are its inputs")
    func inverseOfConcatenation() {
        let tape = Tape()
        let a = tape.constant(Tensor(shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6]))
        let b = tape.constant(Tensor(shape: [2, 2, 3], values: (7...18).map(Float.init)))
        let joined = tape.concatChannels([a, b])
        #expect(tape.value(tape.sliceChannels(joined, 0..<1)).values == tape.value(a).values)
        #expect(tape.value(tape.sliceChannels(joined, 1..<3)).values == tape.value(b).values)
    }
}
