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

    /// The drawn steps follow P(t ≤ k) = (k/T)^{1/P}: for P = 1 and 2, the share of
    /// 200,000 draws at or below k = 1, 10, 100, 250, 500, 999 against that law, each with
    /// its binomial standard error √(p(1−p)/n), |z| ≤ 5; every t lies in 1…T. The same
    /// draws must be rejected against the law of the other power (and of P = 3), so the
    /// check notices a wrong exponent.
    @Test func timestepDrawsFollowTheirLaw() throws {
        let n = 200_000, steps = 1000, bounds = [1, 10, 100, 250, 500, 999]
        func worstZ(_ counts: [Int], power: Double) -> Double {
            zip(bounds, counts).map { k, count in
                let p = Foundation.pow(Double(k) / Double(steps), 1 / power)
                return abs((Double(count) / Double(n) - p) / (p * (1 - p) / Double(n)).squareRoot())
            }.max()!
        }
        for power in [1.0, 2.0] {
            var configuration = ToyTrainingConfiguration()
            configuration.timestepPower = power
            var stream = RandomStream(seed: 11, stream: 0)
            var counts = [Int](repeating: 0, count: bounds.count)
            for _ in 0..<n {
                let t = configuration.drawTimestep(&stream)
                #expect((1...steps).contains(t), "t = \(t)")
                for (index, k) in bounds.enumerated() where t <= k { counts[index] += 1 }
            }
            let z = worstZ(counts, power: power)
            #expect(z <= 5, "P = \(power): worst |z| = \(z) (n = \(n))")
            for wrong in [1.0, 2.0, 3.0] where wrong != power {
                let zWrong = worstZ(counts, power: wrong)
                #expect(zWrong > 50, "P = \(power) draws against P = \(wrong)'s law: worst |z| only \(zWrong)")
            }
        }
    }

    /// Stopping, writing a checkpoint, reading it back and going on gives exactly the
    /// run that never stopped: every weight, moment, EMA value and loss, bit for bit; with
    /// uniform t, and with t drawn at power 2 and gradients clipped (whose metadata must
    /// survive the round trip).
    @Test(arguments: zip([1.0, 2.0], [nil, 0.5] as [Double?]))
    func resumeContinuesBitForBit(power: Double, clipNorm: Double?) throws {
        var configuration = Self.smallConfiguration()
        configuration.timestepPower = power
        configuration.clipNorm = clipNorm
        let straight = try ToyTrainer(configuration)
        for _ in 0..<60 { straight.trainStep() }

        let first = try ToyTrainer(configuration)
        for _ in 0..<25 { first.trainStep() }
        let data = try ToyCheckpoint.file(of: first).encoded()
        let resumed = try ToyCheckpoint.resume(from: SafetensorsFile(decoding: data, source: "memory"))
        #expect(resumed.step == 25 && resumed.configuration == configuration)
        for _ in 0..<35 { resumed.trainStep() }

        #expect(resumed.losses.map(\.bitPattern) == straight.losses.map(\.bitPattern))
        let a = ToyCheckpoint.file(of: straight), b = ToyCheckpoint.file(of: resumed)
        #expect(a.tensors.count == b.tensors.count)
        for (x, y) in zip(a.tensors, b.tensors) {
            #expect(x.name == y.name && x.values.map(\.bitPattern) == y.values.map(\.bitPattern), "\(x.name) differs")
        }
        #expect(a.metadata == b.metadata)
    }

    /// A checkpoint written before `timestepPower` existed has no such metadata: it was
    /// trained with uniform t and resumes so; a power outside [1, 10] is a clear error.
    @Test func timestepPowerMetadata() throws {
        var configuration = Self.smallConfiguration()
        configuration.timestepPower = 2
        var file = ToyCheckpoint.file(of: try ToyTrainer(configuration))
        file.metadata["timestepPower"] = nil
        #expect(try ToyCheckpoint.configuration(of: file).timestepPower == 1)
        file.metadata["timestepPower"] = "0.5"
        do {
            _ = try ToyCheckpoint.configuration(of: file)
            Issue.record("a power of 0.5 was accepted")
        } catch {
            #expect("\(error)".contains("timestepPower"), "\(error)")
        }
    }

    /// Adam's first step leaves m = (1 − β₁)·g, so ‖m‖/(1 − β₁) is the norm of the
    /// gradient it was given: with `clipNorm` = c, exactly c (the raw gradient of the first
    /// batch is larger); without, the raw norm, which must then exceed c (or this check
    /// could not tell a trainer that ignores the setting).
    @Test func clippingBoundsTheStep() throws {
        func firstStepNorm(_ clipNorm: Double?) throws -> Double {
            var configuration = Self.smallConfiguration()
            configuration.clipNorm = clipNorm
            let trainer = try ToyTrainer(configuration)
            trainer.trainStep()
            let squares = trainer.optimizer.firstMoments.flatMap(\.values).map { Double($0) * Double($0) }.reduce(0, +)
            return squares.squareRoot() / Double(1 - trainer.optimizer.beta1)
        }
        let c = 0.05
        let raw = try firstStepNorm(nil), clipped = try firstStepNorm(c)
        #expect(raw > 2 * c, "the first gradient's norm \(raw) is not above c = \(c)")
        #expect(abs(clipped - c) < 1e-5 * c, "clipped norm \(clipped), expected \(c)")
    }

    /// A checkpoint without `clipNorm` was trained without clipping; a norm that is not a
    /// finite number > 0 is a clear error.
    @Test func clipNormMetadata() throws {
        var configuration = Self.smallConfiguration()
        configuration.clipNorm = 1
        var file = ToyCheckpoint.file(of: try ToyTrainer(configuration))
        #expect(try ToyCheckpoint.configuration(of: file).clipNorm == 1)
        file.metadata["clipNorm"] = nil
        #expect(try ToyCheckpoint.configuration(of: file).clipNorm == nil)
        for bad in ["0", "-1", "nan", "inf", "one"] {
            file.metadata["clipNorm"] = bad
            do {
                _ = try ToyCheckpoint.configuration(of: file)
                Issue.record("clipNorm \(bad) was accepted")
            } catch {
                #expect("\(error)".contains("clipNorm"), "\(error)")
            }
        }
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
