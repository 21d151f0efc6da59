import Stochastic
import Testing

@testable import Neural

@Suite("Parameters built for inference")
struct InferenceParameterTests {
    @Test("no initial draws and no gradient storage; a default parameter has both")
    func inference() {
        var stream = RandomStream(seed: 3)
        let trained = Parameter.uniform(name: "w", shape: [4, 5], fanIn: 4, stream: &stream)
        let loaded = Parameter.$buildsForInference.withValue(true) { Parameter.uniform(name: "w", shape: [4, 5], fanIn: 4, stream: &stream) }
        #expect(trained.hasGradient && trained.value.values.contains { $0 != 0 })
        #expect(!loaded.hasGradient && loaded.value.shape == [4, 5] && loaded.value.values.allSatisfy { $0 == 0 })
        // An inference tape reads it.
        let tape = Tape()
        tape.isRecording = false
        #expect(tape.value(tape.parameter(loaded)).shape == [4, 5])
    }
}
