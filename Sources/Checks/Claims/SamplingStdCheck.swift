import CheckCore
import CheckKit
import Stochastic

/// 000 (the generation process): a draw of N(μ, σ²) is z times "the variance" plus μ. A slip:
/// the multiplier is the standard deviation (DDPM Algorithm 2, xₜ₋₁ = μ + σₜz); z·σ² + μ has
/// variance σ⁴. 001's code does it right, with exp(½ log σ²).
let samplingStdCheck = CheckDefinition(
    id: "notes.sampling-std",
    title: "A draw of N(μ, σ²) is μ + σz: the multiplier is the standard deviation (μ + σ²z has variance σ⁴)",
    parameters: [.samples(default: 200_000)],
    mutations: [Mutation("variance-multiplier", "z multiplied by the variance σ², as written")],
    verdict: .slip,
    sources: [Note.n000.at("147")]
) { context in
    let (mean, variance) = (0.5, 0.09)
    let multiplier = context.mutated("variance-multiplier") ? variance : variance.squareRoot()
    var stream = context.randomStream
    let n = context.samples
    let intended = MonteCarlo.moments(samples: n, stream: &stream) { mean + multiplier * $0.normal() }
    let written = MonteCarlo.moments(samples: n, stream: &stream) { mean + variance * $0.normal() }
    return [
        .monteCarlo("Var(μ + σz) = σ²", closedForm: variance, estimate: intended.varianceEstimate),
        .monteCarlo("E(μ + σz) = μ", closedForm: mean, estimate: intended.meanEstimate),
        .monteCarlo("written: Var(μ + σ²z) = σ⁴, not σ²", closedForm: variance * variance, estimate: written.varianceEstimate),
    ]
}
