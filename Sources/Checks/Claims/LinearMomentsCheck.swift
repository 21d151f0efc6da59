import CheckCore
import CheckKit
import ForwardProcess
import Foundation

/// 002 (schedules): with the linear schedule "the mean and variance also change linearly
/// with t". False: β is linear in t, but q(xₜ|x₀) has mean coefficient √ᾱₜ and variance
/// 1 − ᾱₜ with ᾱₜ = ∏(1 − βₛ) ≈ exp(−Σβₛ), which is close to exp of a quadratic in t. The rows
/// measure how far each curve sits from the straight line through its end points.
let linearMomentsCheck = CheckDefinition(
    id: "notes.linear-moments",
    title: "\"With linear β, the mean and variance of xₜ change linearly\" is false: √ᾱₜ and 1 − ᾱₜ bend",
    parameters: [.steps()],
    mutations: [Mutation("beta-as-variance", "the variance of xₜ taken as βₜ (which is linear) instead of 1 − ᾱₜ")],
    verdict: .false,
    sources: [Note.n002.at("141")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: context.parameters.integer("T"))
    let steps = schedule.steps
    /// The largest distance of a curve over t = 1…T from the chord joining its ends.
    func chordGap(_ f: (Int) -> Double) -> Double {
        let (first, last) = (f(1), f(steps))
        return (1...steps).map { t in
            abs(f(t) - (first + (last - first) * Double(t - 1) / Double(steps - 1)))
        }.max() ?? 0
    }
    let mutated = context.mutated("beta-as-variance")
    let betaGap = chordGap { t in schedule.beta(t) }
    let meanGap = chordGap { t in schedule.sqrtAlphaBar(t) }
    let varianceGap = chordGap { t in mutated ? schedule.beta(t) : schedule.oneMinusAlphaBar(t) }
    return [
        .holds("βₜ: max gap to its chord", value: betaGap, rule: "≤ 1e-12 (linear)", pass: betaGap <= 1e-12),
        .holds("mean coefficient √ᾱₜ: max gap to its chord", value: meanGap, rule: "> 0.1 (not linear)", pass: meanGap > 0.1),
        .holds("variance 1 − ᾱₜ: max gap to its chord", value: varianceGap, rule: "> 0.1 (not linear)", pass: varianceGap > 0.1),
    ]
}
