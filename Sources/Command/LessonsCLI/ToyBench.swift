import ArgumentParser
import Foundation
import Neural
import Sampling
import Stochastic
import ToyDiffusion

/// `lessons bench toy`: the swiss-roll model's training throughput and sampling time, the
/// figures issue #7 compares with PyTorch (scripts/bench-pytorch.py measures those).
struct ToyBenchOptions: ParsableArguments {
    @Option(name: .customLong("train-steps"), help: "toy: timed training steps, after 200 warm-up steps (10…1000000).")
    var trainSteps = 3000

    @Option(name: .customLong("sample-points"), help: "toy: points to sample, each through every one of the 1000 DDPM steps (1…1000000); 0 skips sampling. samplers: points per sampling run (≥ 2).")
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
        // What limits the two figures: the products' FLOPs (counted in `BLAS.gemm`), the
        // share of the cores' time inside sgemm and its speed there, and the core's peak.
        var trainFLOPsPerStep: Double
        var trainSgemmShare: Double
        var trainSgemmGFLOPS: Double
        var sampleFLOPs: Double?
        var sampleSgemmShare: Double?
        var sampleSgemmGFLOPS: Double?
        /// nil (and the two limits below) when the CPU lacks AVX2 + FMA.
        var corePeakGFLOPS: Double?
        /// The training rate if every product ran at the core's peak and nothing else took time.
        var trainStepsPerSecondCeiling: Double?
        /// The sampling time under the same assumption, on `threads` cores.
        var sampleSecondsFloor: Double?
        /// The same two limits with the products at sgemm's measured speed instead of the peak.
        var trainStepsPerSecondSgemmBound: Double
        var sampleSecondsSgemmBound: Double?
        /// Each sampler's evaluations and time to reach the quality bar (`bench samplers`'
        /// report), when the run samples at least two points.
        var samplers: SamplerBenchOptions.Report? = nil
    }

    func run(threads: Int, json: Bool, samplers: SamplerBenchOptions) throws {
        let training = try trainingRate()
        var sampling: GemmUse?
        let trainer = try ToyTrainer(ToyTrainingConfiguration())
        if samplePoints > 0 {
            let sampler = DiffusionSampler(schedule: trainer.schedule, denoiser: DenoiserInference(model: trainer.model, useAverage: trainer.ema, threads: threads))
            if !json { Terminal.note("sampling \(samplePoints) points × \(trainer.schedule.steps) DDPM steps on \(threads) thread(s)…") }
            sampling = try GemmUse.measure(threads: threads) {
                _ = try sampler.sample(count: samplePoints, kind: .ddpm(variance: .large), seed: 1)
            }
        }
        if !json { Terminal.note("measuring one core's Float32 fused multiply-add peak…") }
        let peak = FusedMultiplyAddPeak.gflops()
        let flopsPerStep = training.flops / Double(trainSteps)
        var figures = Figures(
            trainStepsPerSecond: Double(trainSteps) / training.seconds, sampleSeconds: sampling?.seconds,
            samplePoints: samplePoints, sampleSteps: trainer.schedule.steps, threads: threads,
            parameters: trainer.model.parameterCount, batchSize: trainer.configuration.batchSize,
            blas: "OpenBLAS " + openBLASCoreName,
            trainFLOPsPerStep: flopsPerStep, trainSgemmShare: training.share, trainSgemmGFLOPS: training.gflops,
            sampleFLOPs: sampling?.flops, sampleSgemmShare: sampling?.share, sampleSgemmGFLOPS: sampling?.gflops,
            corePeakGFLOPS: peak, trainStepsPerSecondCeiling: peak.map { $0 * 1e9 / flopsPerStep },
            sampleSecondsFloor: peak.flatMap { peak in sampling.map { $0.flops / (peak * 1e9 * Double(threads)) } },
            trainStepsPerSecondSgemmBound: training.gflops * 1e9 / flopsPerStep,
            sampleSecondsSgemmBound: sampling.map { $0.flops / ($0.gflops * 1e9 * Double(threads)) })
        if json {
            if samplePoints >= 2 { figures.samplers = try samplers.run(points: samplePoints, threads: threads, json: true, printJSON: false) }
            try Terminal.printJSON(figures)
            return
        }
        print("Toy model (\(figures.parameters) parameters, batch \(figures.batchSize), \(figures.blas)):")
        print(String(format: "  training, 1 thread        %8.1f steps/s   (%.1f MFLOP of products a step; %.0f %% of the time in sgemm, at %.1f GFLOP/s)",
                     figures.trainStepsPerSecond, flopsPerStep / 1e6, 100 * training.share, training.gflops))
        if let sampling {
            print(String(format: "  sampling %d × %d DDPM steps, %d thread(s)   %6.2f s   (%.0f GFLOP of products; %.0f %% of the cores' time in sgemm, at %.1f GFLOP/s per core)",
                         samplePoints, figures.sampleSteps, threads, sampling.seconds, sampling.flops / 1e9, 100 * sampling.share, sampling.gflops))
        }
        print(String(format: "What limits them: with the products at sgemm's speed and all other work free, training would reach %.0f steps/s", figures.trainStepsPerSecondSgemmBound)
              + (figures.sampleSecondsSgemmBound.map { String(format: ",\n  and sampling on %d thread(s) would take %.2f s", threads, $0) } ?? "") + ".")
        guard let peak, let ceiling = figures.trainStepsPerSecondCeiling else {
            return print("  One core's fused multiply-add peak: not measured (this CPU lacks the AVX2 fused multiply-adds it is timed with).")
        }
        print(String(format: "  One core does %.1f GFLOP/s of Float32 fused multiply-adds, its peak. With every product at that peak,", peak))
        print(String(format: "  training would reach %.0f steps/s", ceiling)
              + (figures.sampleSecondsFloor.map { String(format: ", and sampling on %d thread(s) would take %.2f s", threads, $0) } ?? "") + ".")
    }

    /// Training over `trainSteps` steps after 200 warm-up steps: the whole step (batch,
    /// noising, forward, backward, Adam, EMA), with the time and FLOPs spent in sgemm.
    func trainingRate() throws -> GemmUse {
        let trainer = try ToyTrainer(ToyTrainingConfiguration())
        for _ in 0..<200 { trainer.trainStep() }
        return GemmUse.measure(threads: 1) {
            for _ in 0..<trainSteps { trainer.trainStep() }
        }
    }
}
