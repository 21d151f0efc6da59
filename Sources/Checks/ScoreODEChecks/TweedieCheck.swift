import CheckCore
import CheckKit
import ForwardProcess
import Gaussian
import Posterior
import ScoreODE

/// Tweedie's formula on Gaussian data, where every side is known: the score of q(xₜ) is
/// −ε*/√(1−ᾱₜ), and in σ-space (D − x)/σ², which is √ᾱₜ times the VP score.
let tweedieCheck = CheckDefinition(
    id: "score.tweedie",
    title: "The score: ∇log q(xₜ) = −E[ε|xₜ]/√(1−ᾱₜ), and (D(x;σ) − x)/σ² = √ᾱₜ ∇log q(xₜ) in σ-space (Gaussian data)",
    parameters: [
        .schedule(), .steps(), .timesteps([1, 10, 500, 1000]), .gaussianMean, .gaussianVariance,
        ParameterSpec("x", .reals(-20...20), default: .reals([-2, 0.3, 1.7]), help: "points xₜ"),
    ],
    mutations: [
        Mutation("score-times-noise", "score = −ε·√(1 − ᾱₜ) (the noise scale multiplied instead of divided)"),
        Mutation("sigma-score-over-sigma", "σ-space score (D − x)/σ instead of (D − x)/σ²"),
    ],
    run: tweedieRows
)

@Sendable
func tweedieRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let data = context.gaussianData
    let (vp, flow) = (GaussianDataDenoiser(data: data), GaussianDataFlow(data: data))
    let points = context.parameters.reals("x")
    guard !points.isEmpty else { throw CheckFailure("give at least one point x") }
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 {
        let law = vp.noisedLaw(schedule, t: t)
        let noise = schedule.sqrtOneMinusAlphaBar(t)
        var vpGap = 0.0, sigmaGap = 0.0
        for xt in points {
            // d/dx log N(x; μ, v) = −(x − μ)/v: the score by differentiating the density.
            let exactScore = -(xt - law.mean) / law.variance
            let epsilon = vp.epsilon(schedule, t: t, xt: xt)
            let score = context.mutated("score-times-noise") ? -epsilon * noise : SigmaSpace.score(epsilon: epsilon, noise: noise)
            vpGap = max(vpGap, abs(score - exactScore) / max(abs(exactScore), 1e-300))
            let (sigma, x) = (schedule.sigma(t), xt / schedule.sqrtAlphaBar(t))
            let denoised = flow.denoised(x, sigma: sigma)
            let sigmaScore = context.mutated("sigma-score-over-sigma")
                ? (denoised - x) / sigma : SigmaSpace.score(denoised: denoised, x: x, sigma: sigma)
            let expected = schedule.sqrtAlphaBar(t) * exactScore
            sigmaGap = max(sigmaGap, abs(sigmaScore - expected) / max(abs(expected), 1e-300))
        }
        rows.append(.holds("t=\(t): max rel |−ε*/√(1−ᾱₜ) − ∂ log q(xₜ)| over \(points.count) points",
                           value: vpGap, rule: "≤ 1e-12", pass: vpGap <= 1e-12))
        rows.append(.holds("t=\(t): max rel |(D − x)/σ² − √ᾱₜ ∂ log q(xₜ)| over \(points.count) points",
                           value: sigmaGap, rule: "≤ 1e-12", pass: sigmaGap <= 1e-12))
    }
    return rows
}
