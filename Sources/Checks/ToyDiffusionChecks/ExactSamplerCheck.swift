import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import Sampling
import Stochastic
import ToyDiffusion

/// DDPM's Algorithm 2 with the exact ε*(xₜ, t) of the eight Gaussians in place of a
/// network: the sampler alone, every coefficient from `ReverseStep.ancestralMap`. Its
/// samples must have the data's mean and mean squared norm (z-tests), up to the small
/// bias of 1000 discrete steps with a fixed σₜ², which these sample sizes cannot see.
let exactSamplerCheck = CheckDefinition(
    id: "toy.exact-sampler",
    title: "DDPM sampling with the exact ε* of the eight Gaussians reproduces the data's mean and E‖x₀‖²",
    parameters: [
        ParameterSpec("reverseVariance", .choice(of: ReverseVariance.self), default: .text("large"), help: "σₜ² = β̃ₜ (small) or βₜ (large)"),
        .samples(default: 4000),
    ],
    mutations: [Mutation("noise-variance", "each step adds σₜ²·z instead of σₜ·z (the variance where the standard deviation belongs)")],
    run: exactSamplerRows
)

@Sendable
func exactSamplerRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try NoiseSchedule.linear()
    let data = GaussianMixture2D.eightGaussians
    let variance: ReverseVariance = try context.parameters.choice("reverseVariance")
    let squareTheNoise = context.mutated("noise-variance")
    let adjust: @Sendable (AffineStep) -> AffineStep = { step in
        squareTheNoise ? AffineStep(xt: step.xt, epsilon: step.epsilon, noise: step.noise * step.noise) : step
    }
    let sampler = DiffusionSampler(schedule: schedule, denoiser: ExactEpsilon(data: data, schedule: schedule), adjust: adjust)
    let n = context.parameters.integer("samples")
    let points = try sampler.sample(count: n, kind: .ddpm(variance: variance), seed: context.seed &+ context.stream, generator: context.generator).points
    let xs = stride(from: 0, to: 2 * n, by: 2).map { Double(points[$0]) }
    let ys = stride(from: 1, to: 2 * n, by: 2).map { Double(points[$0]) }
    let squared = zip(xs, ys).map { $0 * $0 + $1 * $1 }
    return [
        .monteCarlo("mean x of the samples vs the data's", closedForm: data.mean.x, estimate: MomentAccumulator(xs).meanEstimate),
        .monteCarlo("mean y of the samples vs the data's", closedForm: data.mean.y, estimate: MomentAccumulator(ys).meanEstimate),
        .monteCarlo("E‖x₀‖² of the samples vs the data's", closedForm: data.meanSquaredNorm, estimate: MomentAccumulator(squared).meanEstimate),
    ]
}
