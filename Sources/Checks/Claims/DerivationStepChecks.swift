import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Posterior
import Stochastic

/// 002 (the reverse derivation): exponentials multiply by adding exponents, and
/// −(x − μ)²/2σ² = −½(x²/σ² − 2μx/σ² + μ²/σ²); completing the square then gives the mean and
/// variance. True: the expansion holds at any point, and the posterior's exponent, the sum of
/// q(xₜ|xₜ₋₁)'s and q(xₜ₋₁|x₀)'s, has x²-coefficient A = αₜ/βₜ + 1/(1 − ᾱₜ₋₁) and x-coefficient
/// B, whence the variance 1/A and mean B/A: the Posterior module's β̃ₜ and μ̃ₜ.
let squareExpansionCheck = CheckDefinition(
    id: "notes.square-expansion",
    title: "Expanding −(x − μ)²/2σ² and completing the square of the summed exponents gives β̃ₜ = 1/A and μ̃ₜ = B/A",
    parameters: [],
    mutations: [Mutation("cross-term", "the cross term written without its factor 2")],
    verdict: .true,
    sources: [Note.n002.at("402–405")]
) { context in
    let cross = context.mutated("cross-term") ? 1.0 : 2.0
    let (x, mu, sigma) = (0.37, -0.2, 0.8)
    let s2 = sigma * sigma
    var rows: [CheckRow] = [.exact("exp(−(x − μ)²/2σ²) against exp(−½(x²/σ² − 2μx/σ² + μ²/σ²)) at (0.37, −0.2, 0.8)",
                                   closedForm: exp(-0.5 * (x * x / s2 - cross * mu * x / s2 + mu * mu / s2)), exact: exp(-(x - mu) * (x - mu) / (2 * s2)))]
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let (t, x0, xt) = (500, 0.6, -0.3)
    let (alpha, beta, previous) = (schedule.alpha(t), schedule.beta(t), schedule.alphaBar(t - 1))
    // q(xₜ|xₜ₋₁) = N(√αₜ xₜ₋₁, βₜ) and q(xₜ₋₁|x₀) = N(√ᾱₜ₋₁ x₀, 1 − ᾱₜ₋₁), expanded in xₜ₋₁.
    let a = alpha / beta + 1 / (1 - previous)
    let b = cross / 2 * (alpha.squareRoot() * xt / beta + previous.squareRoot() * x0 / (1 - previous))
    let posterior = try ForwardPosterior(schedule, t: t)
    rows.append(.exact("t = \(t): 1/A against β̃ₜ", closedForm: 1 / a, exact: posterior.variance))
    rows.append(.exact("t = \(t): B/A against μ̃ₜ = coef1·x₀ + coef2·xₜ", closedForm: b / a, exact: posterior.coef1 * x0 + posterior.coef2 * xt))
    return rows
}

/// 003 (the forward merge): the merged noise is named εₜ, a name the step noises already use. A
/// slip: it is a new variable, ε̄ = (√(αₜ(1 − αₜ₋₁))·εₜ₋₂ + √(1 − αₜ)·εₜ₋₁)/√(1 − αₜαₜ₋₁), of unit
/// variance but correlated with each step noise (0.738 with εₜ₋₁ at t = 2 of the linear
/// schedule), not the same variable as either.
let mergedNoiseCheck = CheckDefinition(
    id: "notes.merged-noise-label",
    title: "The merged noise is a new variable: unit variance, correlated √(1 − αₜ)/√(1 − αₜαₜ₋₁) with εₜ₋₁, not εₜ₋₁ itself",
    parameters: [],
    mutations: [Mutation("reused", "the merged noise taken to be εₜ₋₁ itself (correlation 1)")],
    verdict: .slip,
    sources: [Note.n003.at("21–22")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let t = 2, n = 200_000
    let (alpha, before) = (schedule.alpha(t), schedule.alpha(t - 1))
    let norm = (1 - alpha * before).squareRoot()
    var stream = context.randomStream
    var products = MomentAccumulator(), squares = MomentAccumulator()
    for _ in 0..<n {
        let (older, newer) = (stream.normal(), stream.normal())
        let merged = context.mutated("reused") ? newer : ((alpha * (1 - before)).squareRoot() * older + (1 - alpha).squareRoot() * newer) / norm
        products.add(merged * newer)
        squares.add(merged * merged)
    }
    return [
        .monteCarlo("E[ε̄·εₜ₋₁] at t = 2, \(n) draws", closedForm: (1 - alpha).squareRoot() / norm, estimate: products.meanEstimate),
        .monteCarlo("E[ε̄²]", closedForm: 1, estimate: squares.meanEstimate),
    ]
}

/// 002 (typesetting in the forward derivation): a group of harmless slips — aₜ for αₜ, and
/// √(1 − αₜ)·z₁ ~ N(1 − aₜ) with the mean left out. A slip: a and α are one quantity and the
/// missing mean is 0: √(1 − αₜ)·z₁ ~ N(0, 1 − αₜ), sampled at t = 500.
let alphaTypographyCheck = CheckDefinition(
    id: "notes.alpha-typography",
    title: "√(1 − αₜ)·z₁ ~ N(0, 1 − αₜ): the written N(1 − aₜ) gives the variance with its mean 0 left out",
    parameters: [],
    mutations: [Mutation("mean", "N(1 − aₜ) read as a mean of 1 − aₜ")],
    verdict: .slip,
    sources: [Note.n002.at("164"), Note.n002.at("219"), Note.n002.at("371"), Note.n002.at("373")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let t = 500, n = 100_000
    let scale = (1 - schedule.alpha(t)).squareRoot()
    var stream = context.randomStream
    let draws = (0..<n).map { _ in scale * stream.normal() }
    let moments = MomentAccumulator(draws)
    return [
        .monteCarlo("mean of √(1 − αₜ)·z₁ at t = 500", closedForm: context.mutated("mean") ? 1 - schedule.alpha(t) : 0, estimate: moments.meanEstimate),
        .monteCarlo("its variance against 1 − αₜ", closedForm: 1 - schedule.alpha(t), estimate: moments.varianceEstimate),
    ]
}

/// 003 (resampling) and 002 (the forward process): a Gaussian is "not differentiable", so it is
/// rewritten in standard form, and the forward process "cannot be computed" without the trick.
/// Qualified: the density is differentiable in μ and σ and sampling it is always computable;
/// what the reparameterization gives is a pathwise gradient of E[f(μ + σε)]. For f(x) = x²,
/// μ = 0.3, σ = 0.7 (E f = μ² + σ²): ∂/∂μ = 2μ and ∂/∂σ = 2σ, estimated by E[f′(μ + σε)] and
/// E[f′(μ + σε)·ε] over 10⁶ draws.
let reparameterizationGradientCheck = CheckDefinition(
    id: "notes.reparam-differentiable",
    title: "The reparameterization gives pathwise gradients: E[2(μ + σε)] = 2μ, E[2(μ + σε)ε] = 2σ; the density itself is differentiable",
    parameters: [],
    mutations: [Mutation("sample-constant", "the sample treated as a constant, so no gradient flows to σ")],
    verdict: .qualified,
    sources: [Note.n003.at("28"), Note.n002.at("173")]
) { context in
    let (mu, sigma, n) = (0.3, 0.7, 1_000_000)
    var stream = context.randomStream
    var dMu = MomentAccumulator(), dSigma = MomentAccumulator()
    for _ in 0..<n {
        let epsilon = stream.normal(), slope = 2 * (mu + sigma * epsilon)
        dMu.add(slope)
        dSigma.add(context.mutated("sample-constant") ? 0 : slope * epsilon)
    }
    // The density's own derivative in μ at x = 1: (x − μ)/σ²·N(x; μ, σ²), against a central difference.
    let density = { (m: Double) in exp(-(1 - m) * (1 - m) / (2 * sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot()) }
    let h = 1e-5
    return [
        .monteCarlo("∂/∂μ E[(μ + σε)²], pathwise, 10⁶ draws", closedForm: 2 * mu, estimate: dMu.meanEstimate),
        .monteCarlo("∂/∂σ E[(μ + σε)²], pathwise", closedForm: 2 * sigma, estimate: dSigma.meanEstimate),
        .exact("∂/∂μ N(1; μ, σ²) = (1 − μ)/σ²·N, against a central difference", closedForm: (1 - mu) / (sigma * sigma) * density(mu),
               // A central difference errs by O(h²) = 10⁻¹⁰ and u/h ≈ 10⁻¹¹ relative: 10⁻⁸ bounds both.
               exact: (density(mu + h) - density(mu - h)) / (2 * h), relativeTolerance: 1e-8),
    ]
}
