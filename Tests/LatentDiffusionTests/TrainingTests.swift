import Foundation
import Neural
import Stochastic
import Testing
@testable import LatentDiffusion

/// Short smoke runs of each model on real Fashion-MNIST images: the loss falls; a run
/// interrupted and resumed from its checkpoint equals an uninterrupted one bit for bit.
@Suite(.serialized) struct LatentTrainingTests {
    static let data = try? FashionMNIST.load(split: .test, limit: 512)

    static func configuration(batch: Int, epochs: Int, examples: Int) -> LatentTrainingConfiguration {
        var c = LatentTrainingConfiguration()
        c.batchSize = batch
        c.epochs = epochs
        c.examples = examples
        c.seed = 11
        return c
    }

    static func mean(_ values: ArraySlice<Float>) -> Float { values.reduce(0, +) / Float(values.count) }

    @Test func classifierLossFalls() throws {
        let data = try #require(Self.data)
        BLAS.threads = 1
        let trainer = LatentTrainer(task: ClassifierTask(model: Classifier(seed: 1), data: data), examples: data.count,
                                    configuration: Self.configuration(batch: 32, epochs: 3, examples: 512))
        while !trainer.isFinished { trainer.trainStep() }
        // ln 10 = 2.30 at the start; 48 steps on 512 images bring it well below.
        #expect(Self.mean(trainer.losses.prefix(5)) > 2.0)
        #expect(Self.mean(trainer.losses.suffix(5)) < 0.6 * Self.mean(trainer.losses.prefix(5)), "\(trainer.losses.suffix(5))")
    }

    @Test func autoencoderLossFalls() throws {
        let data = try #require(Self.data)
        BLAS.threads = 1
        let trainer = LatentTrainer(task: AutoencoderTask(model: Autoencoder(seed: 1), data: data), examples: data.count,
                                    configuration: Self.configuration(batch: 16, epochs: 1, examples: 480))
        while !trainer.isFinished { trainer.trainStep() }
        #expect(Self.mean(trainer.losses.suffix(5)) < 0.6 * Self.mean(trainer.losses.prefix(5)), "\(trainer.losses)")
    }

    @Test func unetLossFallsOnLatents() throws {
        let data = try #require(Self.data)
        BLAS.threads = 1
        let codes = LatentCodes(encoding: data, count: 128, with: Autoencoder(seed: 2))
        var stream = RandomStream(seed: 3, stream: 0)
        let unet = UNet(.fashion, stream: &stream)
        let task = UNetTask(model: unet, conditioning: .text(TextEncoder(stream: &stream)), codes: codes,
                            schedule: LatentPipeline.defaultSchedule(), scaleFactor: UNetTask.scaleFactor(of: codes, seed: 3))
        let trainer = LatentTrainer(task: task, examples: codes.count, configuration: Self.configuration(batch: 16, epochs: 3, examples: 128))
        while !trainer.isFinished { trainer.trainStep() }
        // An untrained U-Net's ε̂ is far from ε (loss above 1); a few steps bring it below.
        #expect(Self.mean(trainer.losses.suffix(4)) < 0.8 * Self.mean(trainer.losses.prefix(4)), "\(trainer.losses)")
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let data = try #require(Self.data)
        BLAS.threads = 1
        var c = Self.configuration(batch: 32, epochs: 2, examples: 128)
        c.emaDecay = 0.9
        func fresh() -> LatentTrainer {
            LatentTrainer(task: ClassifierTask(model: Classifier(seed: 4), data: data), examples: data.count, configuration: c)
        }
        let straight = fresh()
        while !straight.isFinished { straight.trainStep() }

        let first = fresh()
        for _ in 0..<3 { first.trainStep() }
        let saved = try SafetensorsFile(decoding: LatentCheckpoint.file(of: first, weightsOnly: false).encoded(), source: "memory")
        #expect(try LatentCheckpoint.configuration(of: saved, kind: .classifier) == c)
        let second = fresh()
        try LatentCheckpoint.resume(second, from: saved)
        while !second.isFinished { second.trainStep() }
        #expect(second.losses == straight.losses)
        for (a, b) in zip(second.task.parameters, straight.task.parameters) { #expect(a.value.values == b.value.values) }
    }

    /// `train --resume --lr b` (a lower rate to finish a run): the resumed trainer is built
    /// with rate b and takes the file's weights, moments and stream, so it must equal a run
    /// that never stopped and switched Adam to b at the same step, bit for bit, and its
    /// next checkpoint must record b. (Had the file's rate been kept, the runs would differ.)
    @Test func resumingAtANewLearningRateSwitchesTheRateThere() throws {
        let data = try #require(Self.data)
        BLAS.threads = 1
        var c = Self.configuration(batch: 32, epochs: 2, examples: 128)
        c.emaDecay = 0.9
        var lower = c
        lower.learningRate = 2e-4
        func fresh(_ configuration: LatentTrainingConfiguration) -> LatentTrainer {
            LatentTrainer(task: ClassifierTask(model: Classifier(seed: 4), data: data), examples: data.count, configuration: configuration)
        }
        let straight = fresh(c)
        for _ in 0..<3 { straight.trainStep() }
        straight.optimizer.learningRate = lower.learningRate
        while !straight.isFinished { straight.trainStep() }

        let first = fresh(c)
        for _ in 0..<3 { first.trainStep() }
        let saved = try SafetensorsFile(decoding: LatentCheckpoint.file(of: first, weightsOnly: false).encoded(), source: "memory")
        let second = fresh(lower)
        try LatentCheckpoint.resume(second, from: saved)
        while !second.isFinished { second.trainStep() }
        #expect(second.losses == straight.losses)
        for (a, b) in zip(second.task.parameters, straight.task.parameters) { #expect(a.value.values == b.value.values) }
        let next = try SafetensorsFile(decoding: LatentCheckpoint.file(of: second, weightsOnly: false).encoded(), source: "memory")
        #expect(try LatentCheckpoint.configuration(of: next, kind: .classifier).learningRate == lower.learningRate)

        let kept = fresh(c)
        try LatentCheckpoint.resume(kept, from: saved)
        while !kept.isFinished { kept.trainStep() }
        #expect(kept.losses.suffix(from: 3) != straight.losses.suffix(from: 3), "the rate made no difference, so the test could not notice a kept rate")
    }

    @Test func weightsFileLoadsTheAverage() throws {
        let data = try #require(Self.data)
        var c = Self.configuration(batch: 32, epochs: 1, examples: 64)
        c.emaDecay = 0.5
        let trainer = LatentTrainer(task: ClassifierTask(model: Classifier(seed: 5), data: data), examples: data.count, configuration: c)
        while !trainer.isFinished { trainer.trainStep() }
        let file = try SafetensorsFile(decoding: LatentCheckpoint.file(of: trainer, weightsOnly: true).encoded(), source: "memory")
        #expect(file.tensors.count == trainer.task.parameters.count)
        let loaded = Classifier(seed: 99)
        try LatentCheckpoint.loadWeights(file, into: loaded.parameters, kind: .classifier)
        for (a, b) in zip(loaded.parameters, try #require(trainer.ema).averages) { #expect(a.value.values == b.values) }
        #expect(throws: LatentCheckpointError.self) { try LatentCheckpoint.loadWeights(file, into: Autoencoder(seed: 0).parameters, kind: .autoencoder) }
        #expect(throws: LatentCheckpointError.self) { try LatentCheckpoint.resume(trainer, from: file) }
    }
}
