import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import Stochastic

/// Substituting x₀ = (xₜ − √(1−ᾱₜ) ε)/√ᾱₜ into μ̃ₜ gives eq. 11.
let epsilonFormCheck = CheckDefinition(
    id: "posterior.eps-form",
    title: "The ε-form μ̃ₜ = (xₜ − βₜ/√(1−ᾱₜ)·ε)/√αₜ equals coef1·x₀ + coef2·xₜ (eq. 11 ≡ eq. 7)",
    parameters: [
        .schedule(), .steps(), .timesteps([1, 2, 10, 500, 999, 1000]),
        ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random (x₀, ε) pairs per t"),
    ],
    mutations: [Mutation("unrooted-noise", "βₜ/(1−ᾱₜ)·ε: the square root of 1−ᾱₜ forgotten")],
    run: epsilonFormRows
)

@Sendable
func epsilonFormRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        let p = try ForwardPosterior(schedule, t: t)
        var worst = 0.0
        for _ in 0..<context.parameters.integer("points") {
            let (x0, epsilon) = (stream.uniform(in: -1...1), stream.normal())
            let xt = ForwardProcess.noised(schedule, t: t, x0: x0, epsilon: epsilon)
            let viaEpsilon: Double
            if context.mutated("unrooted-noise") {
                viaEpsilon = (xt - schedule.beta(t) / schedule.oneMinusAlphaBar(t) * epsilon) / schedule.alpha(t).squareRoot()
            } else {
                viaEpsilon = try ForwardPosterior.meanFromEpsilon(schedule, t: t, xt: xt, epsilon: epsilon)
            }
            let direct = p.mean(x0: x0, xt: xt)
            // Both sides carry rounding of order |xₜ|/√αₜ·2⁻⁵³; compare on that scale.
            worst = max(worst, abs(viaEpsilon - direct) / max(abs(direct), abs(xt), 1))
        }
        rows.append(.holds("t=\(t): max |ε-form − x₀-form| / scale", value: worst, rule: "≤ 1e-12", pass: worst <= 1e-12))
    }
    return rows
}
