import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Gaussian
import Posterior

/// Bayes' rule, pointwise: q(xₜ|xₜ₋₁) q(xₜ₋₁|x₀) / q(xₜ|x₀) = N(xₜ₋₁; μ̃ₜ, β̃ₜ).
let bayesCheck = CheckDefinition(
    id: "posterior.bayes",
    title: "Bayes' rule pointwise: q(xₜ|xₜ₋₁)·q(xₜ₋₁|x₀)/q(xₜ|x₀) is the density N(xₜ₋₁; μ̃ₜ, β̃ₜ)",
    parameters: [
        .schedule(), .steps(), .timesteps([2, 10, 500, 1000]),
    ] + ParameterSpec.pairParameters,
    mutations: [Mutation("inverted-ratio", "β̃ₜ = (1−ᾱₜ)/(1−ᾱₜ₋₁)·βₜ: the ratio upside down")],
    run: bayesRows
)

/// The Bayes ratio as a function of xₜ₋₁, from the three forward densities.
func bayesRatio(_ schedule: NoiseSchedule, t: Int, x0: Double, xt: Double) -> (Double) -> Double {
    let evidence = ForwardProcess.marginal(schedule, t: t, from: x0).logDensity(xt)
    return { previous in
        Foundation.exp(ForwardProcess.step(schedule, t: t, from: previous).logDensity(xt)
            + ForwardProcess.marginal(schedule, t: t - 1, from: x0).logDensity(previous) - evidence)
    }
}

@Sendable
func bayesRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        guard t >= 2 else { throw CheckFailure("t = 1 has β̃₁ = 0: the posterior is the point x₀, which has no density (use t ≥ 2)") }
        let (x0, xt) = context.pair(schedule, t: t)
        let p = try posterior(schedule, t: t, mutation: context.mutation)
        let claimed = Gaussian(mean: p.mean(x0: x0, xt: xt), variance: p.variance)
        let ratio = bayesRatio(schedule, t: t, x0: x0, xt: xt)
        // Compare where the true posterior has its mass: its mean ± 2 standard deviations.
        let truth = try ForwardPosterior(schedule, t: t).distribution(x0: x0, xt: xt)
        var worst = 0.0
        for k in stride(from: -2.0, through: 2.0, by: 0.5) {
            let x = truth.mean + k * truth.standardDeviation
            worst = max(worst, abs(claimed.density(x) - ratio(x)) / ratio(x))
        }
        rows.append(.holds("t=\(t): max rel. gap on 9 points of xₜ₋₁", value: worst, rule: "≤ 1e-12", pass: worst <= 1e-12))
    }
    return rows
}
