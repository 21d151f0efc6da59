import CheckCore
import ForwardProcess
import Foundation
import Gaussian
import Posterior

/// 003 (the reverse formula): q(xₜ₋₁ | xₜ, x₀) is written N(xₜ; μ̃ₜ, β̃ₜ I). A slip: the
/// density's variable is xₜ₋₁. Bayes' ratio q(xₜ | xₜ₋₁) q(xₜ₋₁ | x₀) / q(xₜ | x₀), as a
/// function of xₜ₋₁, equals N(xₜ₋₁; μ̃ₜ, β̃ₜ) point by point; the written N(xₜ; μ̃ₜ, β̃ₜ) does not
/// depend on xₜ₋₁ at all.
let reverseVariableCheck = CheckDefinition(
    id: "notes.reverse-variable-slip",
    title: "q(xₜ₋₁|xₜ,x₀) = N(xₜ₋₁; μ̃ₜ, β̃ₜ): Bayes' ratio matches it at every xₜ₋₁; the written N(xₜ; …) is flat in xₜ₋₁",
    parameters: [],
    mutations: [Mutation("density-at-xt", "the density evaluated at xₜ, as written")],
    verdict: .slip,
    sources: [Note.n003.at("49")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let (t, x0, xt) = (500, 0.3, 0.5)
    let posterior = try ForwardPosterior(schedule, t: t)
    let reverse = Gaussian(mean: posterior.mean(x0: x0, xt: xt), variance: posterior.variance)
    let step = Gaussian(mean: 0, variance: schedule.beta(t))
    let prior = Gaussian(mean: schedule.alphaBar(t - 1).squareRoot() * x0, variance: 1 - schedule.alphaBar(t - 1))
    let evidence = Gaussian(mean: schedule.alphaBar(t).squareRoot() * x0, variance: 1 - schedule.alphaBar(t))
    let spread = posterior.variance.squareRoot()
    var rows: [CheckRow] = []
    var written: [Double] = []
    for k in [-2.0, -1, 0, 0.5, 1.5] {
        let previous = reverse.mean + k * spread
        let logRatio = step.logDensity(xt - schedule.alpha(t).squareRoot() * previous) + prior.logDensity(previous) - evidence.logDensity(xt)
        let at = context.mutated("density-at-xt") ? xt : previous
        rows.append(.exact("log Bayes ratio at xₜ₋₁ = μ̃ \(k < 0 ? "−" : "+") \(abs(k))·√β̃", closedForm: reverse.logDensity(at), exact: logRatio))
        written.append(reverse.logDensity(xt))
    }
    let flat = (written.max() ?? 0) - (written.min() ?? 0)
    rows.append(.holds("written log N(xₜ; μ̃, β̃): max − min over those xₜ₋₁", value: flat, rule: "= 0: not a density of xₜ₋₁", pass: flat == 0))
    return rows
}
