import CheckCore
import ForwardProcess
import Foundation

/// 002 (schedules): β is kept small "so that the variance does not explode". Qualified:
/// small β is right, the reason is not. The step xₜ = √(1 − βₜ)xₜ₋₁ + √βₜ ε maps a variance v
/// to (1 − βₜ)v + βₜ, which tends to 1 for *any* β in (0, 1): Var(xₜ) = ᾱₜv₀ + 1 − ᾱₜ. The
/// √(1 − β) factor is what prevents the explosion; without it the variance grows by Σβ.
let varianceExplosionCheck = CheckDefinition(
    id: "notes.variance-explosion",
    title: "With the √(1−β) scaling the variance tends to 1 for any β in (0, 1); only the unscaled step grows it",
    parameters: [],
    mutations: [Mutation("unscaled", "the step without the √(1 − βₜ) factor, xₜ = xₜ₋₁ + √βₜ ε")],
    verdict: .qualified,
    sources: [Note.n002.at("132")]
) { context in
    let unscaled = context.mutated("unscaled")
    let start = 4.0
    func iterate(_ betas: [Double]) -> Double {
        betas.reduce(start) { v, beta in unscaled ? v + beta : (1 - beta) * v + beta }
    }
    var rows: [CheckRow] = []
    for beta in [0.02, 0.5, 0.9] {
        let betas = [Double](repeating: beta, count: 1000)
        let alphaBar = Foundation.pow(1 - beta, 1000)
        rows.append(.exact("β=\(beta) for 1000 steps from v₀=4: v vs ᾱv₀ + 1 − ᾱ", closedForm: iterate(betas), exact: alphaBar * start + 1 - alphaBar))
    }
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let alphaBar = schedule.alphaBar(1000)
    rows.append(.exact("linear schedule from v₀=4: v vs ᾱ_T v₀ + 1 − ᾱ_T", closedForm: iterate(schedule.beta), exact: alphaBar * start + 1 - alphaBar))
    let grown = schedule.beta.reduce(start, +)
    rows.append(.holds("unscaled step, linear schedule: v₀ + Σβ", value: grown, rule: "reported: grows by Σβ", pass: grown > start))
    return rows
}
