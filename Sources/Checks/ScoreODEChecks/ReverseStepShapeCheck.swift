import CheckCore
import CheckKit
import Foundation
import Gaussian
import Posterior
import Stochastic

/// How Gaussian the true reverse step is. For mixture data the exact q(xₜ₋₁ | xₜ) is itself a
/// mixture: the prior q(xₜ₋₁) (the data pushed to ᾱₜ₋₁) conditioned on xₜ = √αₜ xₜ₋₁ + √βₜ ε.
/// DDPM models it as one Gaussian; that is right only as βₜ → 0, where its skewness vanishes as
/// βₜ^{3/2} and its excess kurtosis as βₜ² (the tilt of the narrow likelihood by the prior's
/// log-density, expanded to third and fourth order). Large steps are visibly not Gaussian.
let reverseStepShapeCheck = CheckDefinition(
    id: "score.reverse-step",
    title: "How Gaussian the true reverse step is: q(xₜ₋₁|xₜ) of mixture data, two derivations and importance sampling; skewness ∝ β^{3/2}, excess kurtosis ∝ β²",
    parameters: ParameterSpec.mixtureParameters + [
        ParameterSpec("alpha-bar", .real(1e-3...0.999), default: .real(0.5), help: "ᾱₜ₋₁, the signal level before the step"),
        ParameterSpec("beta", .reals(1e-6...0.999), default: .reals([0.0005, 0.001, 0.01, 0.1, 0.5]), help: "step sizes βₜ, increasing (the first two measure the orders)"),
        ParameterSpec("x", .reals(-20...20), default: .reals([0.3]), help: "the observed xₜ"),
        .samples(default: 20_000),
    ],
    mutations: [
        Mutation("prior-weights", "the components kept at their prior weights instead of reweighting each by its evidence N(xₜ; √αₜ mₖ, αₜvₖ + βₜ)"),
        Mutation("unscaled-step", "the step's likelihood taken as N(xₜ; xₜ₋₁, βₜ), without the factor √αₜ"),
    ],
    run: reverseStepShapeRows
)

@Sendable
func reverseStepShapeRows(_ context: CheckContext) throws -> [CheckRow] {
    let p = context.parameters
    let data = try context.mixture
    let alphaBarPrevious = p.real("alpha-bar")
    let betas = p.reals("beta"), points = p.reals("x")
    guard betas.count >= 2, zip(betas, betas.dropFirst()).allSatisfy({ $0 < $1 }) else {
        throw CheckFailure("beta must list at least two increasing step sizes (got \(betas.map(shortNumber)))")
    }
    guard !points.isEmpty else { throw CheckFailure("give at least one point x") }
    let prior = data.scaled(by: alphaBarPrevious.squareRoot(), addingVariance: 1 - alphaBarPrevious)
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for xt in points {
        var skews: [Double] = [], kurtoses: [Double] = []
        for beta in betas {
            let alpha = 1 - beta
            // Route 1: the prior q(xₜ₋₁) conditioned on the step xₜ = √αₜ xₜ₋₁ + √βₜ ε.
            var exact = prior.conditioned(onObservation: xt, scale: context.mutated("unscaled-step") ? 1 : alpha.squareRoot(), noiseVariance: beta)
            if context.mutated("prior-weights") { exact = GaussianMixture(weights: prior.weights, components: exact.components) }
            // Route 2: x₀ given xₜ, then the DDPM posterior q(xₜ₋₁ | xₜ, x₀) = N(coef1·x₀ + coef2·xₜ, β̃).
            let alphaBar = alphaBarPrevious * alpha
            let step = SkipPosterior(alphaBar: alphaBar, alphaBarPrevious: alphaBarPrevious)
            let viaData = data.conditioned(onObservation: xt, scale: alphaBar.squareRoot(), noiseVariance: 1 - alphaBar)
                .affine(scale: step.coef1, shift: step.coef2 * xt, addingVariance: step.variance)
            let label = "xₜ=\(shortNumber(xt)), β=\(shortNumber(beta))"
            rows.append(.exact("\(label): mean, prior·step vs via x₀ and the DDPM posterior", closedForm: exact.mean, exact: viaData.mean, floor: 1))
            rows.append(.exact("\(label): variance, the two derivations", closedForm: exact.variance, exact: viaData.variance))
            rows.append(.exact("\(label): third central moment, the two derivations", closedForm: exact.centralMoment(3), exact: viaData.centralMoment(3),
                               floor: Foundation.pow(viaData.variance, 1.5)))
            // Importance sampling without Bayes' algebra: as a function of xₜ₋₁ the step's
            // likelihood N(xₜ; √αₜ xₜ₋₁, βₜ) is proportional to N(xₜ₋₁; xₜ/√αₜ, βₜ/αₜ); draw from
            // that and weight each draw by the prior density q(xₜ₋₁). (Drawing from the prior and
            // weighting by the likelihood instead leaves an effective sample of a few draws when
            // βₜ is small: the likelihood is far narrower than the prior.)
            let proposal = Gaussian(mean: xt / alpha.squareRoot(), variance: beta / alpha)
            let draws = (0..<context.samples).map { _ in proposal.sample(&stream) }
            let logWeights = draws.map { prior.logDensity($0) }
            let top = logWeights.max()!
            let weights = logWeights.map { Foundation.exp($0 - top) }
            let mean = MonteCarlo.selfNormalized(values: draws, weights: weights)
            let variance = MonteCarlo.selfNormalized(values: draws.map { ($0 - mean.mean) * ($0 - mean.mean) }, weights: weights)
            rows.append(.monteCarlo("\(label): mean of q(xₜ₋₁|xₜ), importance-sampled", closedForm: exact.mean, estimate: mean))
            rows.append(.monteCarlo("\(label): variance of q(xₜ₋₁|xₜ), importance-sampled", closedForm: exact.variance, estimate: variance))
            skews.append(exact.skewness)
            kurtoses.append(exact.excessKurtosis)
            rows.append(.holds("\(label): skewness", value: exact.skewness, rule: "reported", pass: exact.skewness.isFinite))
            rows.append(.holds("\(label): excess kurtosis", value: exact.excessKurtosis, rule: "reported", pass: exact.excessKurtosis.isFinite))
            let distance = gaussianDistance(exact)
            rows.append(.holds("\(label): sup |F − Φ| to the Gaussian of the same mean and variance", value: distance, rule: "reported", pass: distance.isFinite))
        }
        // The orders in β, from the two smallest steps: log(m₂/m₁)/log(β₂/β₁).
        let ratio = Foundation.log(betas[1] / betas[0])
        let skewOrder = Foundation.log(abs(skews[1] / skews[0])) / ratio
        let kurtosisOrder = Foundation.log(abs(kurtoses[1] / kurtoses[0])) / ratio
        rows.append(.holds("xₜ=\(shortNumber(xt)): order of the skewness in β", value: skewOrder, rule: "within 0.1 of 1.5", pass: abs(skewOrder - 1.5) <= 0.1))
        rows.append(.holds("xₜ=\(shortNumber(xt)): order of the excess kurtosis in β", value: kurtosisOrder, rule: "within 0.1 of 2", pass: abs(kurtosisOrder - 2) <= 0.1))
    }
    return rows
}

/// sup over x of |F(x) − Φ((x − μ)/σ)| between a mixture and the Gaussian of its mean and
/// variance, on a grid of 4001 points over μ ± 8σ (where both CDFs are 0 or 1 beyond).
func gaussianDistance(_ law: GaussianMixture) -> Double {
    let matched = Gaussian(mean: law.mean, variance: law.variance)
    let spread = 8 * matched.standardDeviation
    return (0...4000).reduce(0) { worst, i in
        let x = matched.mean - spread + 2 * spread * Double(i) / 4000
        return max(worst, abs(law.cdf(x) - matched.cdf(x)))
    }
}
