import CheckCore
import ForwardProcess

/// 002 (the reverse process, reminder of the notation): ᾱₜ is written as the product of αᵢ
/// up to T. A slip: with the limit T the product is one constant for every t; the intended
/// ᾱₜ = ∏_{i≤t} αᵢ is 1 − Var(xₜ | x₀), which the variance recursion v ← αₜv + βₜ gives
/// independently.
let alphaBarLimitCheck = CheckDefinition(
    id: "notes.alphabar-upper-limit",
    title: "ᾱₜ = ∏_{i≤t} αᵢ, not ∏_{i≤T} αᵢ: the product up to t is 1 − Var(xₜ|x₀); up to T it is one constant",
    parameters: [],
    mutations: [Mutation("upper-limit-T", "the product taken up to T, as written")],
    verdict: .slip,
    sources: [Note.n002.at("407")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let limit: (Int) -> Int = { context.mutated("upper-limit-T") ? schedule.steps : $0 }
    var variance = 0.0, rows: [CheckRow] = []
    var variances: [Double] = []
    for t in 1...schedule.steps {
        variance = schedule.alpha(t) * variance + schedule.beta(t)
        variances.append(variance)
    }
    for t in [1, 10, 250, 500, 1000] {
        let product = (1...limit(t)).reduce(1.0) { $0 * schedule.alpha($1) }
        rows.append(.exact("∏ αᵢ to t at t=\(t) vs 1 − Var(xₜ|x₀) by recursion", closedForm: product, exact: 1 - variances[t - 1]))
    }
    let written = (1...schedule.steps).reduce(1.0) { $0 * schedule.alpha($1) }
    rows.append(.holds("written ∏ to T, the same at every t", value: written, rule: "reported", pass: written.isFinite))
    return rows
}
