import CheckCore
import CheckKit
import ForwardProcess
import Gaussian
import Posterior
import Stochastic

/// 001 (the sampling walk-through of ddpm.py): the last step outputs the mean; the earlier
/// steps add noise "probably to make the images more diverse". Qualified: no noise at t = 1
/// is right (Algorithm 2), but the noise is what makes the chain sample the distribution.
/// With DDPM's update and no noise, the law of x₀ collapses: on data N(0.5, 0.09) with the
/// exact ε*, the final variance falls from about the data's to about 3·10⁻⁷. (A deterministic
/// sampler needs other coefficients: DDIM with η = 0.)
let meanOnlySamplingCheck = CheckDefinition(
    id: "notes.mean-only-sampling",
    title: "DDPM's update without its noise does not sample the data less diversely: it collapses the variance",
    parameters: [.samples(default: 20_000)],
    mutations: [Mutation("noise-only-diversity", "the mean-only chain taken to end with the noisy chain's law (noise adds only diversity)")],
    verdict: .qualified,
    sources: [Note.n001.at("14")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let data = Gaussian(mean: 0.5, variance: 0.09)
    let denoiser = GaussianDataDenoiser(data: data)
    let noisy = ReverseChain(schedule: schedule, denoiser: denoiser, noise: .fixed(.large))
    let meanOnly = ReverseChain(schedule: schedule, denoiser: denoiser, noise: .none)
    let noisyLaw = try noisy.exactLaw(), meanOnlyLaw = try meanOnly.exactLaw()
    var stream = context.randomStream
    let withNoise = MomentAccumulator(try noisy.sample(context.samples, stream: &stream))
    let without = MomentAccumulator(try meanOnly.sample(context.samples, stream: &stream))
    let claimed = context.mutated("noise-only-diversity") ? noisyLaw : meanOnlyLaw
    let collapse = meanOnlyLaw.variance / data.variance
    return [
        .monteCarlo("with σₜ² = βₜ: Var(x₀) = its exact law's", closedForm: noisyLaw.variance, estimate: withNoise.varianceEstimate),
        .holds("with noise: Var(x₀) / data variance", value: noisyLaw.variance / data.variance, rule: "within 5% of 1", pass: abs(noisyLaw.variance / data.variance - 1) < 0.05),
        .monteCarlo("mean only: Var(x₀) = its exact law's", closedForm: claimed.variance, estimate: without.varianceEstimate),
        .monteCarlo("mean only: E(x₀) = its exact law's", closedForm: claimed.mean, estimate: without.meanEstimate),
        .holds("mean only: Var(x₀) / data variance", value: collapse, rule: "< 1e-3: collapsed", pass: collapse < 1e-3),
    ]
}
