import ArgumentParser
import AtomicFiles
import CheckCore
import Dispatch
import ForwardProcess
import Foundation
import Neural
import Notebook
import Posterior
import ProjectFolders
import Sampling
import ScoreODE
import Stochastic
import ToyDiffusion

extension LessonsCommand {
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw points from a trained toy diffusion model and write them as CSV (header x,y).",
            discussion: """
                Without --checkpoint the committed pretrained model Models/DATASET.safetensors is used \
                (trained by `lessons train`). --eval compares the samples with fresh data points: \
                sliced Wasserstein-2, energy distance and MMD², beside the noise floor of two data samples.
                Points whose trajectory diverged (NaN or ±∞) are written as they are, with a warning; \
                --eval then stops with an error, since no metric is defined for them. --clip-denoised C \
                (e.g. 2 for these data sets, which lie within ±1.6) bounds every step, so that no trajectory can diverge.
                Exit status: 0 done, 1 --eval on points that are not all finite, 4 the checkpoint cannot \
                be read or the CSV written, 64 usage error.
                """)

        @Argument(help: "The data the model learned: \(ToyDataset.allCases.map(\.rawValue).joined(separator: ", ")).")
        var dataset: ToyDataset

        @Option(help: "The checkpoint (.safetensors) to sample from (default: Models/DATASET.safetensors).")
        var checkpoint: String?

        @Option(help: "How many points (1…1000000).")
        var n = 10_000

        @OptionGroup(title: "Sampler") var sampling: SamplerOptions

        @Option(help: "DDPM: σₜ² = β̃ₜ (small) or βₜ (large).")
        var variance: ReverseVariance = .large

        @Option(name: .customLong("clip-denoised"), help: "Clip each step's predicted x̂₀ to [−C, C] per coordinate (C > 0) and take the posterior mean of that x̂₀, so no trajectory can run away (default: no clipping, Algorithm 2 as written).")
        var clipDenoised: Double?

        @Option(help: "The seed of the starting noise and of every step's noise.", transform: seedArgument)
        var seed: UInt64 = 0

        @Option(help: "The CSV file to write.")
        var out: String

        @OptionGroup var threading: ThreadOptions

        @Flag(help: "Also print the sample-quality metrics against fresh data and the noise floor.")
        var eval = false

        @Option(name: .customLong("eval-rounds"), help: "--eval: fresh data samples (and floor pairs) to average over (1…100).")
        var evalRounds = 5


        func validate() throws {
            guard (1...1_000_000).contains(n) else { throw ValidationError("--n must be between 1 and 1000000 (got \(n))") }
            guard !out.isEmpty else { throw ValidationError("--out needs a file name, e.g. samples.csv") }
            guard (1...100).contains(evalRounds) else { throw ValidationError("--eval-rounds must be between 1 and 100 (got \(evalRounds))") }
            if let clipDenoised, !(clipDenoised.isFinite && clipDenoised > 0) {
                throw ValidationError("--clip-denoised must be a number > 0 (got \(clipDenoised))")
            }
            if eval && n < 2 { throw ValidationError("--eval needs at least 2 points (got --n \(n))") }
        }

        func run() throws {
            try OutputLocation.requireWritable(file: URL(fileURLWithPath: out), option: "--out", exitCode: 4)
            let model = try ToyModelFile.load(checkpoint, dataset: dataset)
            let kind = try sampling.kind(default: .ddpm, variance: variance, schedule: model.schedule)
            let threads = threading.count(default: 1)
            let inference = DenoiserInference(weights: model.weights, embedding: SinusoidalEmbedding(dimensions: EpsilonMLP.embeddingDimensions, steps: model.schedule.steps), threads: threads)
            let terminal = Terminal.current
            let start = DispatchTime.now().uptimeNanoseconds
            var sampler = DiffusionSampler(schedule: model.schedule, denoiser: inference)
            sampler.clipDenoised = clipDenoised
            let result = try sampler.sample(count: n, kind: kind, seed: seed) { done, total in
                if done % 50 == 0 || done == total { terminal.progress("sampling: step \(done)/\(total)") }
            }
            terminal.clearProgress()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            var csv = "x,y\n"
            csv.reserveCapacity(n * 24)
            for i in 0..<n { csv += "\(result.points[2 * i]),\(result.points[2 * i + 1])\n" }
            do {
                try AtomicFile.write(Data(csv.utf8), to: URL(fileURLWithPath: out))
            } catch {
                Terminal.printError("\(error)")
                throw ExitCode(4)
            }
            print(String(format: "%d points from %@ (%@) in %.2f s → %@", n, model.path, model.usesAverage ? "EMA weights" : "raw weights", seconds, out))
            print(SamplerChoice.describe(kind, schedule: model.schedule))
            let diverged = (0..<n).count { !result.points[2 * $0].isFinite || !result.points[2 * $0 + 1].isFinite }
            if diverged > 0 {
                Terminal.printWarning("\(diverged) of \(n) points are not finite (NaN or ±∞): their trajectories diverged, so the model is unstable there\(clipDenoised == nil ? " (--clip-denoised bounds every step)" : "")")
            }
            guard eval else { return }
            guard diverged == 0 else {
                Terminal.printError("--eval: sample metrics need finite points, and \(diverged) of \(n) are not")
                throw ExitCode(1)
            }
            let points = stride(from: 0, to: 2 * n, by: 2).map { Point2(Double(result.points[$0]), Double(result.points[$0 + 1])) }
            // One data sample makes SW₂ at n = 10⁴ scatter by ±30 %: average over several
            // fresh data samples, and the floor over as many independent pairs.
            var against: [SampleMetrics] = [], floors: [SampleMetrics] = []
            for round in 0..<UInt64(evalRounds) {
                var stream = RandomStream(seed: seed, stream: 0x4556_414C &+ round)
                against.append(try SampleMetrics(points, dataset.sample(n, stream: &stream), options: MetricOptions(seed: round)))
                floors.append(try dataset.noiseFloor(samples: n, seed: seed &+ 1 &+ round, options: MetricOptions(seed: round)))
            }
            func summary(_ values: [Double], _ format: String) -> String {
                let mean = values.reduce(0, +) / Double(values.count)
                let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(values.count - 1, 1))).squareRoot()
                return String(format: format + " ± " + format, mean, spread)
            }
            let sw = against.map(\.slicedWasserstein), swFloor = floors.map(\.slicedWasserstein)
            print("metric (n = \(n); mean ± sd over \(evalRounds) fresh data samples)   samples vs data        floor (data vs data)")
            print("sliced Wasserstein-2        " + summary(sw, "%.5f") + "     " + summary(swFloor, "%.5f")
                  + String(format: "   ratio of means %.2f", sw.reduce(0, +) / swFloor.reduce(0, +)))
            print("energy distance             " + summary(against.map(\.energyDistance), "%.5f") + "    " + summary(floors.map(\.energyDistance), "%.5f"))
            print("MMD² (RBF, median h)        " + summary(against.map(\.mmdSquared), "%.6f") + "  " + summary(floors.map(\.mmdSquared), "%.6f"))
            // The variational bound (DDPM eq. 5) of the model on held-out points, term by term.
            var heldOutStream = RandomStream(seed: seed, stream: 0x484F_4C44)
            let heldOut = dataset.sample(1000, stream: &heldOutStream)
            let bound = try LearnedBound(model: inference, schedule: model.schedule, variance: variance, data: heldOut, seed: seed)
            let denoising = bound.terms.dropFirst().dropLast().reduce(0, +)
            print(String(format: "variational bound on %d held-out points (σₜ² = %@): −ELBO = %.4f ± %.4f nats per point = %.4f bits/dim",
                         bound.points, variance == .small ? "β̃ₜ" : "βₜ", bound.total.mean, bound.total.standardError, bound.bitsPerDimension))
            print(String(format: "  L_T = %.5f   Σ L_{t−1} = %.4f   L₀ = %.4f   (nats; a density bound, so it may be negative)",
                         bound.terms.first ?? 0, denoising, bound.terms.last ?? 0))
        }
    }
}

/// A toy model read for sampling: the EMA weights (or raw ones), its schedule, its path.
struct ToyModelFile {
    let weights: [Tensor]
    let schedule: NoiseSchedule
    let usesAverage: Bool
    let path: String

    /// The explicit checkpoint, or the committed Models/DATASET.safetensors.
    static func load(_ explicit: String?, dataset: ToyDataset) throws -> ToyModelFile {
        let url: URL
        if let explicit {
            guard !explicit.isEmpty else { throw ValidationError("--checkpoint needs a path to a .safetensors file") }
            url = URL(fileURLWithPath: explicit)
        } else {
            guard let models = ProjectFolders.nearest(named: "Models") else {
                throw ValidationError("no --checkpoint given and no Models/ folder found above the working directory or the executable; pass --checkpoint FILE")
            }
            url = models.appendingPathComponent(dataset.rawValue + ".safetensors")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ValidationError("no pretrained model for \(dataset.rawValue) in \(models.path); train one with `lessons train \(dataset.rawValue) --out FILE` and pass --checkpoint FILE")
            }
        }
        do {
            let file = try SafetensorsFile(contentsOf: url)
            let loaded = try ToyCheckpoint.samplingWeights(from: file)
            guard loaded.configuration.dataset == dataset else {
                throw ValidationError("\(url.path) was trained on \(loaded.configuration.dataset.rawValue), not \(dataset.rawValue)")
            }
            return ToyModelFile(weights: loaded.weights, schedule: try NoiseSchedule.linear(steps: loaded.configuration.diffusionSteps),
                                usesAverage: loaded.usesAverage, path: LessonLibrary.displayPath(url))
        } catch let error as ValidationError {
            throw error
        } catch {
            Terminal.printError("cannot read the checkpoint: \(error)")
            throw ExitCode(4)
        }
    }
}
