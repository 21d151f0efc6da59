import ArgumentParser
import Dispatch
import Foundation
import Neural
import Stochastic
import ToyDiffusion

/// `lessons bench toy`: the swiss-roll model's training throughput and sampling time, the
/// figures issue #7 compares with PyTorch (scripts/bench-pytorch.py measures those).
struct ToyBenchOptions: ParsableArguments {
    @Option(name: .customLong("train-steps"), help: "toy: timed training steps, after 200 warm-up steps (10…1000000).")
    var trainSteps = 3000

    @Option(name: .customLong("sample-points"), help: "toy: points to sample, each through every one of the 1000 DDPM steps (1…1000000); 0 skips sampling.")
    var samplePoints = 10_000

    func validate() throws {
        guard (10...1_000_000).contains(trainSteps) else {
            throw ValidationError("--train-steps must be between 10 and 1000000 (got \(trainSteps))")
        }
        guard (0...1_000_000).contains(samplePoints) else {
            throw ValidationError("--sample-points must be between 0 and 1000000 (got \(samplePoints))")
        }
    }

    struct Figures: Encodable {
        var trainStepsPerSecond: Double
        var sampleSeconds: Double?
        var samplePoints: Int
        var sampleSteps: Int
        var threads: Int
        var parameters: Int
        var batchSize: Int
        var blas: String
    }

    func run(threads: Int, json: Bool) throws {
        let one = try trainingRate()
        var sampleSeconds: Double?
        let trainer = try ToyTrainer(ToyTrainingConfiguration())
        if samplePoints > 0 {
            let sampler = ToySampler(schedule: trainer.schedule, denoiser: DenoiserInference(model: trainer.model, useAverage: trainer.ema, threads: threads))
            if !json { Terminal.note("sampling \(samplePoints) points × \(trainer.schedule.steps) DDPM steps on \(threads) thread(s)…") }
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try sampler.sample(count: samplePoints, kind: .ddpm(variance: .large), seed: 1)
            sampleSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let figures = Figures(
            trainStepsPerSecond: one, sampleSeconds: sampleSeconds,
            samplePoints: samplePoints, sampleSteps: trainer.schedule.steps, threads: threads,
            parameters: trainer.model.parameterCount, batchSize: trainer.configuration.batchSize,
            blas: "OpenBLAS " + openBLASCoreName)
        if json {
            try Terminal.printJSON(figures)
            return
        }
        print("Toy model (\(figures.parameters) parameters, batch \(figures.batchSize)):")
        print(String(format: "  training, 1 thread        %8.1f steps/s", one))
        if let sampleSeconds {
            print(String(format: "  sampling %d × %d DDPM steps, %d thread(s)   %6.2f s", samplePoints, figures.sampleSteps, threads, sampleSeconds))
        }
    }

    /// Steps per second over `trainSteps` steps after 200 warm-up steps: the whole step
    /// (batch, noising, forward, backward, Adam, EMA).
    func trainingRate() throws -> Double {
        let trainer = try ToyTrainer(ToyTrainingConfiguration())
        for _ in 0..<200 { trainer.trainStep() }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<trainSteps { trainer.trainStep() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(trainSteps) / seconds
    }
}
