import Charts
import CheckCore
import ForwardProcess
import Neural
import Notebook
import ProjectFolders
import Sampling
import Stochastic
import ToyDiffusion

/// The figures of the trained swiss-roll model (Models/swissroll.safetensors).
extension FigureLibrary {
    static func pretrainedSwissRoll() throws -> (model: DenoiserInference, schedule: NoiseSchedule, file: SafetensorsFile) {
        guard let folder = ProjectFolders.nearest(named: "Models") else {
            throw CLIError.usage("the swiss-roll figures need Models/swissroll.safetensors; no Models/ folder above the working directory or the executable")
        }
        let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent("swissroll.safetensors"))
        let loaded = try ToyCheckpoint.samplingWeights(from: file)
        let schedule = try NoiseSchedule.linear(steps: loaded.configuration.diffusionSteps)
        let model = DenoiserInference(weights: loaded.weights, embedding: SinusoidalEmbedding(dimensions: EpsilonMLP.embeddingDimensions, steps: schedule.steps), threads: 2)
        return (model, schedule, file)
    }

    static func pointSeries(_ name: String, _ points: [Float], size: Double = 0.3) -> Series {
        Series(name: name, x: stride(from: 0, to: points.count, by: 2).map { Double(points[$0]) },
               y: stride(from: 1, to: points.count, by: 2).map { Double(points[$0]) }, style: .points(size: size))
    }

    /// The reverse process of the trained model: x_T ~ N(0, I) and the points after the
    /// steps to t = 750, 500, …, 0 (DDPM Algorithm 2, σₜ² = βₜ).
    static func swissRollReverse(seed: UInt64) throws -> Figure {
        let (model, schedule, _) = try pretrainedSwissRoll()
        let times = [1000, 750, 500, 250, 100, 50, 10, 0]
        let result = try DiffusionSampler(schedule: schedule, denoiser: model).sample(count: 2000, kind: .ddpm(variance: .large), seed: seed, snapshots: Set(times))
        let panels = times.map { t in
            Chart(title: "t = \(t)", series: [pointSeries("", result.snapshots[t] ?? result.points)], xRange: -3.5...3.5, yRange: -3.5...3.5)
        }
        return Figure(title: "The trained model's reverse process, from noise (t = 1000) to samples (t = 0)", columns: 4, panels: panels)
    }

    /// 4000 samples of the trained model over 4000 fresh data points.
    static func swissRollSamples(seed: UInt64) throws -> Figure {
        let (model, schedule, _) = try pretrainedSwissRoll()
        let samples = try DiffusionSampler(schedule: schedule, denoiser: model).sample(count: 4000, kind: .ddpm(variance: .large), seed: seed).points
        var stream = RandomStream(seed: seed, stream: 0x4441)
        let data = SwissRoll.sample(4000, stream: &stream).flatMap { [Float($0.x), Float($0.y)] }
        return Figure(Chart(title: "Samples of the trained model (DDPM, 1000 steps) over fresh data", xLabel: "x", yLabel: "y",
                            series: [pointSeries("data", data), pointSeries("samples", samples)], xRange: -1.6...1.6, yRange: -1.6...1.6))
    }

    /// The training loss of the committed model, averaged over windows of 100 steps.
    static func swissRollLoss() throws -> Figure {
        let (_, _, file) = try pretrainedSwissRoll()
        let losses = try file.tensor(named: "losses").values
        let window = 100
        let means = stride(from: 0, to: losses.count - window + 1, by: window).map { start in
            Double(losses[start..<start + window].reduce(0, +)) / Double(window)
        }
        let steps = means.indices.map { Double($0 * window + window) }
        return Figure(Chart(title: "Training loss ‖ε − ε_θ(xₜ, t)‖² (mean of each 100 steps)", xLabel: "step", yLabel: "loss",
                            series: [Series(name: "loss", x: steps, y: means)], logarithmicY: true))
    }
}
