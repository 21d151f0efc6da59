import ForwardProcess
import Foundation
import Neural
import Stochastic
import Testing
@testable import ToyDiffusion

@Suite struct TrainingTests {
    static func smallConfiguration(seed: UInt64 = 3) -> ToyTrainingConfiguration {
        var configuration = ToyTrainingConfiguration()
        configuration.seed = seed
        configuration.trainingPoints = 2000
        return configuration
    }

    @Test func referenceModelHas41858Parameters() {
        #expect(EpsilonMLP(seed: 0).parameterCount == 41_858)
    }

    /// A short run: the first loss is near E[ε²] = 1 (at initialization ε_θ ≈ 0), and the
    /// mean loss of steps 351…400 is well below that of steps 1…50.
    @Test func shortTrainingLowersTheLoss() throws {
        let trainer = try ToyTrainer(Self.smallConfiguration())
        for _ in 0..<400 { trainer.trainStep() }
        let first = trainer.losses.prefix(50).reduce(0, +) / 50
        let last = trainer.losses.suffix(50).reduce(0, +) / 50
        #expect(trainer.losses[0] > 0.8, "initial loss \(trainer.losses[0])")
        #expect(last < 0.6 * first, "loss \(first) → \(last)")
    }

    /// Stopping, writing a checkpoint, reading it back and going on gives exactly the
    /// run that never stopped: every weight, moment, EMA value and loss, bit for bit.
    @Test func resumeContinuesBitForBit() throws {
        let straight = try ToyTrainer(Self.smallConfiguration())
        for _ in 0..<60 { straight.trainStep() }

        let first = try ToyTrainer(Self.smallConfiguration())
        for _ in 0..<25 { first.trainStep() }
        let data = try ToyCheckpoint.file(of: first).encoded()
        let resumed = try ToyCheckpoint.resume(from: SafetensorsFile(decoding: data, source: "memory"))
        #expect(resumed.step == 25)
        for _ in 0..<35 { resumed.trainStep() }

        #expect(resumed.losses.map(\.bitPattern) == straight.losses.map(\.bitPattern))
        let a = ToyCheckpoint.file(of: straight), b = ToyCheckpoint.file(of: resumed)
        #expect(a.tensors.count == b.tensors.count)
        for (x, y) in zip(a.tensors, b.tensors) {
            #expect(x.name == y.name && x.values.map(\.bitPattern) == y.values.map(\.bitPattern), "\(x.name) differs")
        }
        #expect(a.metadata == b.metadata)
    }

    @Test func checkpointsOfOtherKindsAreRejectedClearly() throws {
        let trainer = try ToyTrainer(Self.smallConfiguration())
        var file = ToyCheckpoint.file(of: trainer)
        file.metadata["format"] = "something-else"
        #expect(throws: ToyCheckpointError.self) { _ = try ToyCheckpoint.resume(from: file) }

        file = ToyCheckpoint.file(of: trainer)
        let averaged = try #require(file.tensors.firstIndex { $0.name == "ema.layers.0.weight" })
        file.tensors[averaged] = SafetensorsTensor(name: "ema.layers.0.weight", shape: [3], values: [1, 2, 3])
        do {
            _ = try ToyCheckpoint.samplingWeights(from: file)
            Issue.record("a wrong shape was accepted")
        } catch {
            #expect("\(error)".contains("shape"), "\(error)")
        }

        file = ToyCheckpoint.file(of: trainer)
        file.metadata["randomState"] = "0,0,0,0"
        #expect(throws: ToyCheckpointError.self) { _ = try ToyCheckpoint.resume(from: file) }
    }

    /// The tape-free sampler network computes the same ε_θ as the training network, and
    /// splitting the points over two threads changes nothing.
    @Test func inferenceMatchesTheTape() throws {
        let trainer = try ToyTrainer(Self.smallConfiguration())
        for _ in 0..<30 { trainer.trainStep() }
        let count = 1100, index = 417
        var stream = RandomStream(seed: 9, stream: 0)
        let points = (0..<2 * count).map { _ in Float(stream.normal()) }
        let tape = Tape()
        let taped = points.withUnsafeBufferPointer { trainer.model($0.baseAddress!, indices: Array(repeating: index, count: count), on: tape) }
        let reference = tape.value(taped).values
        for threads in [1, 2] {
            let inference = DenoiserInference(model: trainer.model, threads: threads)
            var output = [Float](repeating: 0, count: 2 * count)
            points.withUnsafeBufferPointer { p in output.withUnsafeMutableBufferPointer { inference.predict(p.baseAddress!, count: count, index: index, into: $0.baseAddress!) } }
            let worst = zip(output, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 2e-5, "threads \(threads): max |Δε| = \(worst)")
        }
    }
}
