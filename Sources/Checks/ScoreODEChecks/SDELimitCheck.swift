import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import ScoreODE

/// DDPM's linear schedule is the VP-SDE discretized: a chain of T steps with βᵢ = β(tᵢ)/T
/// (linear from β̄_min/T to β̄_max/T) has ᾱ = ∏(1 − βᵢ), which tends to the SDE's
/// exp(−∫₀ᵗ β) as T grows, with an error falling as 1/T. DDPM's β₁ = 10⁻⁴, β_T = 0.02 at
/// T = 1000 is the chain of β̄_min = 0.1, β̄_max = 20.
let sdeLimitCheck = CheckDefinition(
    id: "score.sde-limit",
    title: "DDPM is the VP-SDE discretized: with βᵢ = β(tᵢ)/T, ∏ᵢ≤τT (1 − βᵢ) → exp(−∫₀^τ β(s) ds) at order 1 in 1/T",
    parameters: [
        .betaMin, .betaMax,
        ParameterSpec("lengths", .integers(2...1_000_000), default: .integers([250, 500, 1000, 2000, 4000]), help: "chain lengths T, increasing"),
        ParameterSpec("time", .reals(0...1), default: .reals([0.5, 1]), help: "times τ in (0, 1] where ᾱ is compared (τT must be a whole step)"),
    ],
    mutations: [
        Mutation("no-half-drift", "the VP drift −β(t)x instead of −½β(t)x, so ᾱ(t) = exp(−2∫β)"),
        Mutation("beta-unscaled", "the SDE read off the chain's per-step βᵢ without the factor T (β̄_min = β₁, not Tβ₁)"),
    ],
    run: sdeLimitRows
)

@Sendable
func sdeLimitRows(_ context: CheckContext) throws -> [CheckRow] {
    let p = context.parameters
    let (low, high) = (p.real("beta-min"), p.real("beta-max"))
    let lengths = p.integers("lengths"), times = p.reals("time")
    guard lengths.count >= 2, zip(lengths, lengths.dropFirst()).allSatisfy({ $0 < $1 }) else {
        throw CheckFailure("lengths must list at least two increasing chain lengths (got \(lengths))")
    }
    guard !times.isEmpty, times.allSatisfy({ $0 > 0 }) else { throw CheckFailure("give at least one time τ in (0, 1]") }
    var rows: [CheckRow] = []
    for tau in times {
        var gaps: [Double] = []
        for length in lengths {
            let step = Double(length) * tau
            guard step == step.rounded(), step >= 1 else {
                throw CheckFailure("τ = \(shortNumber(tau)) is not a whole step of T = \(length) (τT = \(shortNumber(step)))")
            }
            let schedule = try NoiseSchedule.linear(steps: length, start: low / Double(length), end: high / Double(length))
            let (first, last) = (schedule.beta(1), schedule.beta(length))
            let sde = context.mutated("beta-unscaled")
                ? DiffusionSDE.variancePreserving(betaMin: first, betaMax: last) : DiffusionSDE.ddpm(betaStart: first, betaEnd: last, steps: length)
            let continuous = context.mutated("no-half-drift") ? -2 * sde.integratedBeta(tau) : Foundation.log(sde.alphaBar(tau))
            let gap = abs(Foundation.log(schedule.alphaBar(Int(step))) - continuous)
            gaps.append(gap)
            rows.append(.holds("τ=\(shortNumber(tau)), T=\(length): |log ∏(1 − βᵢ) − log ᾱ(τ)|", value: gap, rule: "reported", pass: gap.isFinite))
        }
        rows += try ObservedOrder.rows("τ=\(shortNumber(tau)), ", counts: lengths, errors: gaps, order: 1, unit: "T")
    }
    return rows
}
