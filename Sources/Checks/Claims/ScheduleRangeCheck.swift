import CheckCore
import ForwardProcess

/// 004 (forward diffusion): the variance schedule takes T steps "from 0 to 1". Qualified:
/// each βₜ lies in (0, 1), but DDPM's β runs from 10⁻⁴ to only 0.02; what goes from about 0 to
/// about 1 is the accumulated noise variance 1 − ᾱₜ (10⁻⁴ to 0.99996). A β reaching 1 would
/// break the reverse step: α_T = 0, and its mean divides by √α_T.
let scheduleRangeCheck = CheckDefinition(
    id: "notes.schedule-range",
    title: "\"From 0 to 1\": β goes from 1e-4 to 0.02; it is 1 − ᾱₜ that goes from ≈ 0 to ≈ 1 (β = 1 would divide by √α_T = 0)",
    parameters: [],
    mutations: [Mutation("beta-to-one", "βₜ = t/T, a schedule that does go from 0 to 1")],
    verdict: .qualified,
    sources: [Note.n004.at("99")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let beta: (Int) -> Double = { context.mutated("beta-to-one") ? Double($0) / 1000 : schedule.beta($0) }
    let lastAlpha = 1 - 1000.0 / 1000
    return [
        .exact("β₁", closedForm: beta(1), exact: 1e-4),
        .exact("β_T", closedForm: beta(1000), exact: 0.02),
        .exact("1 − ᾱ₁", closedForm: 1 - schedule.alphaBar(1), exact: 1e-4),
        .holds("1 − ᾱ_T", value: 1 - schedule.alphaBar(1000), rule: "> 0.9999: ≈ 1", pass: 1 - schedule.alphaBar(1000) > 0.9999),
        .holds("β = t/T ends at α_T = 1 − 1: the reverse mean's 1/√α_T", value: 1 / lastAlpha.squareRoot(), rule: "= ∞", pass: (1 / lastAlpha.squareRoot()).isInfinite),
    ]
}
