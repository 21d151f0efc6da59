import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Neural
import ProjectFolders
import Stochastic
import ToyDiffusion

/// The committed eight-Gaussians model against the exact ε* of its data, step by step.
///
/// ε* = E[ε | xₜ] is the conditional mean, so the error of any predictor splits without a
/// cross term (Pythagoras in L²): E‖ε − ε_θ‖² = E‖ε − ε*‖² + E‖ε* − ε_θ‖², i.e.
/// E[(ε − ε*)·(ε* − ε_θ)] = 0. The check tests that cross term by Monte Carlo at several t
/// — it holds for any ε_θ, trained or not, and fails for a wrong ε* — and reports how far
/// the trained network is from ε* (E‖ε* − ε_θ‖²) beside the irreducible E‖ε − ε*‖².
let learnedVsOptimalCheck = CheckDefinition(
    id: "toy.learned-vs-optimal",
    title: "The trained MLP against the exact ε* of the eight Gaussians: E‖ε−ε_θ‖² = E‖ε−ε*‖² + E‖ε*−ε_θ‖², and the gap per t",
    parameters: [
        ParameterSpec("timesteps", .integers(1...1000), default: .integers([10, 50, 200, 500, 900]), help: "the steps t compared"),
        .samples(default: 20_000),
    ],
    mutations: [Mutation("unnormalized-responsibilities", "ε* averaged with the component weights πₖ N(·) not divided by q(xₜ)")],
    run: learnedVsOptimalRows
)

@Sendable
func learnedVsOptimalRows(_ context: CheckContext) throws -> [CheckRow] {
    guard let folder = ProjectFolders.nearest(named: "Models") else {
        throw ToyDataError("toy.learned-vs-optimal reads Models/gaussians.safetensors; no Models/ folder above the working directory or the executable")
    }
    let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent("gaussians.safetensors"))
    let (weights, configuration, _) = try ToyCheckpoint.samplingWeights(from: file)
    let schedule = try NoiseSchedule.linear(steps: configuration.diffusionSteps)
    let model = DenoiserInference(weights: weights, embedding: SinusoidalEmbedding(dimensions: EpsilonMLP.embeddingDimensions, steps: schedule.steps))
    let data = GaussianMixture2D.eightGaussians
    let n = context.parameters.integer("samples")
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in context.parameters.integers("timesteps") where t <= schedule.steps {
        let optimal = try OptimalDenoiser(data: data, schedule: schedule, t: t)
        let x0 = data.sample(n, stream: &stream)
        var noised = [Float](repeating: 0, count: 2 * n), epsilon = [Point2](), predicted = noised
        epsilon.reserveCapacity(n)
        for i in 0..<n {
            let e = Point2(stream.normal(), stream.normal())
            epsilon.append(e)
            noised[2 * i] = Float(ForwardProcess.noised(schedule, t: t, x0: x0[i].x, epsilon: e.x))
            noised[2 * i + 1] = Float(ForwardProcess.noised(schedule, t: t, x0: x0[i].y, epsilon: e.y))
        }
        noised.withUnsafeBufferPointer { x in predicted.withUnsafeMutableBufferPointer { model.predict(x.baseAddress!, count: n, index: t - 1, into: $0.baseAddress!) } }
        var cross: [Double] = [], irreducible: [Double] = [], gap: [Double] = []
        for i in 0..<n {
            let xt = Point2(Double(noised[2 * i]), Double(noised[2 * i + 1]))
            var star = optimal.epsilon(xt)
            if context.mutated("unnormalized-responsibilities") {
                // Σₖ πₖN(xₜ; ·)·E[ε|xₜ,k] without the division by q(xₜ).
                let density = Foundation.exp(optimal.marginal.logDensity(xt))
                star = Point2(star.x * density, star.y * density)
            }
            let theta = Point2(Double(predicted[2 * i]), Double(predicted[2 * i + 1]))
            let residual = Point2(epsilon[i].x - star.x, epsilon[i].y - star.y)
            let difference = Point2(star.x - theta.x, star.y - theta.y)
            cross.append(residual.x * difference.x + residual.y * difference.y)
            irreducible.append(residual.x * residual.x + residual.y * residual.y)
            gap.append(difference.x * difference.x + difference.y * difference.y)
        }
        let gapMean = gap.reduce(0, +) / Double(n), floor = irreducible.reduce(0, +) / Double(n)
        rows.append(.monteCarlo("t = \(t): E[(ε − ε*)·(ε* − ε_θ)]", closedForm: 0, estimate: MomentAccumulator(cross).meanEstimate))
        rows.append(.holds(String(format: "t = %d: E‖ε* − ε_θ‖² (irreducible E‖ε − ε*‖² = %.4f)", t, floor), value: gapMean,
                           rule: "reported", pass: gapMean.isFinite))
    }
    return rows
}
