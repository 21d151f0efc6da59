import CheckCore
import CheckKit
import Gaussian
import Posterior
import Stochastic

/// Denoising score matching (Vincent 2011) on Gaussian data, for the linear candidate scores
/// s_a(x) = −a(x − μₜ) of N(μₜ, v), μₜ = √ᾱₜ m, v = ᾱₜs² + 1 − ᾱₜ:
///
/// - DSM(a) = E[(s_a(xₜ) − ∇log q(xₜ|x₀))²] with ∇log q(xₜ|x₀) = −ε/√(1−ᾱₜ) is a²v − 2a + 1/(1−ᾱₜ);
/// - the explicit objective E[(s_a − ∇log q(xₜ))²] = (a − 1/v)²v = a²v − 2a + 1/v differs from it
///   by 1/(1−ᾱₜ) − 1/v, whatever a is: both have their minimum at the true score, a = 1/v;
/// - with ε̂ = −√(1−ᾱₜ)·s_a the ε-objective E[(ε̂ − ε)²] is (1−ᾱₜ)·DSM(a): the ε-loss is score
///   matching weighted by 1 − ᾱₜ.
let denoisingScoreMatchingCheck = CheckDefinition(
    id: "score.dsm",
    title: "Denoising score matching: E(s − ∇log q(xₜ|x₀))² = E(s − ∇log q(xₜ))² + const, and the ε-loss is it times 1 − ᾱₜ (Gaussian data, linear scores)",
    parameters: [
        .schedule(), .steps(), .timesteps([10, 500]), .gaussianMean, .gaussianVariance,
        ParameterSpec("slope-factors", .reals(0...10), default: .reals([0, 1, 2]), help: "candidate slopes a as multiples of the true score's 1/v"),
        .samples(default: 200_000),
    ],
    mutations: [
        Mutation("target-sign", "the conditional score taken as +ε/√(1−ᾱₜ)"),
        Mutation("sqrt-weight", "the ε-loss taken as √(1−ᾱₜ)·DSM instead of (1−ᾱₜ)·DSM"),
    ],
    run: denoisingScoreMatchingRows
)

@Sendable
func denoisingScoreMatchingRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let data = context.gaussianData
    let denoiser = GaussianDataDenoiser(data: data)
    let factors = context.parameters.reals("slope-factors")
    guard !factors.isEmpty else { throw CheckFailure("give at least one slope factor") }
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 {
        let law = denoiser.noisedLaw(schedule, t: t)
        let (v, oneMinus, noise) = (law.variance, schedule.oneMinusAlphaBar(t), schedule.sqrtOneMinusAlphaBar(t))
        let signal = schedule.sqrtAlphaBar(t)
        for factor in factors {
            let a = factor / v
            func candidate(_ x: Double) -> Double { -a * (x - law.mean) }
            var dsm = MomentAccumulator(), gap = MomentAccumulator(), epsilonLoss = MomentAccumulator()
            for _ in 0..<context.samples {
                let (x0, epsilon) = (data.sample(&stream), stream.normal())
                let xt = signal * x0 + noise * epsilon
                let s = candidate(xt)
                let target = (context.mutated("target-sign") ? 1 : -1) * epsilon / noise
                let trueScore = -(xt - law.mean) / v
                dsm.add((s - target) * (s - target))
                gap.add((s - target) * (s - target) - (s - trueScore) * (s - trueScore))
                // The ε-prediction whose Tweedie score is s: s = −ε̂/√(1−ᾱₜ).
                let predicted = -noise * s
                epsilonLoss.add((predicted - epsilon) * (predicted - epsilon))
            }
            let closedDSM = a * a * v - 2 * a + 1 / oneMinus
            let label = "t=\(t), a=\(shortNumber(factor))/v"
            rows.append(.monteCarlo("\(label): DSM = a²v − 2a + 1/(1−ᾱₜ)", closedForm: closedDSM, estimate: dsm.meanEstimate))
            rows.append(.monteCarlo("\(label): DSM − explicit SM = 1/(1−ᾱₜ) − 1/v", closedForm: 1 / oneMinus - 1 / v, estimate: gap.meanEstimate))
            let weight = context.mutated("sqrt-weight") ? noise : oneMinus
            rows.append(.monteCarlo("\(label): E(ε̂ − ε)² = (1−ᾱₜ)·DSM", closedForm: weight * closedDSM, estimate: epsilonLoss.meanEstimate))
        }
    }
    return rows
}
