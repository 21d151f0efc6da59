import CheckCore
import ForwardProcess

/// 000 (the denoising part): in β̃ₜ = (1 − αₜ)(1 − ᾱₜ₋₁)/(1 − ᾱₜ) the first factor 1 − αₜ may be
/// written βₜ, but the others are cumulative and may not. True: 1 − ᾱₜ₋₁ is not βₜ₋₁ (at t = 2
/// they happen to agree, 1 − ᾱ₁ = β₁, but not beyond), and writing it so gives another variance —
/// markedly at small t; at large t both are close to βₜ, so the gap row is kept to t ≤ 20.
let posteriorVarianceFactorsCheck = CheckDefinition(
    id: "notes.posterior-variance-factors",
    title: "β̃ₜ = βₜ(1 − ᾱₜ₋₁)/(1 − ᾱₜ): only 1 − αₜ is βₜ; the cumulative factors are not β's",
    parameters: [.timesteps([2, 5, 10])],
    mutations: [Mutation("per-step-factors", "1 − ᾱₜ₋₁ and 1 − ᾱₜ written as βₜ₋₁ and βₜ")],
    verdict: .true,
    sources: [Note.n000.at("69")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where t >= 2 {
        let written = (1 - schedule.alpha(t)) * (1 - schedule.alphaBar(t - 1)) / (1 - schedule.alphaBar(t))
        let perStep = schedule.beta(t) * schedule.beta(t - 1) / schedule.beta(t)
        let closed = context.mutated("per-step-factors") ? perStep : written
        // β̃ₜ a second way: the variance of xₜ₋₁ given (xₜ, x₀), from the joint Gaussian.
        let previous = 1 - schedule.alphaBar(t - 1), current = 1 - schedule.alphaBar(t)
        let conditional = previous - schedule.alpha(t) * previous * previous / current
        rows.append(.exact("t=\(t): (1−αₜ)(1−ᾱₜ₋₁)/(1−ᾱₜ) vs Var(xₜ₋₁ | xₜ, x₀)", closedForm: closed, exact: conditional))
        if (3...20).contains(t) {
            rows.append(.holds("t=\(t): β with per-step factors / β̃ₜ", value: perStep / conditional, rule: "≠ 1: not the variance", pass: abs(perStep / conditional - 1) > 0.01))
        }
    }
    return rows
}
