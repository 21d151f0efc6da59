import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Gaussian
import Posterior
import ScoreODE

/// Classifier-free guidance on two Gaussian classes, where every score is known: the guided
/// prediction is the unconditional one pushed along the gradient of an implicit classifier;
/// the two ways of writing the scale are one guidance; the rescale restores the spread.
let guidanceCheck = CheckDefinition(
    id: "score.cfg",
    title: "Classifier-free guidance: ε_∅ + w(ε_c − ε_∅) = ε_∅ − w√(1−ᾱₜ)∇log p(c|xₜ), diffusers' w is Ho & Salimans' w + 1, and the rescale gives the conditional spread (two Gaussian classes)",
    parameters: [
        .schedule(), .steps(), .timesteps([1, 10, 500, 1000]),
        ParameterSpec("class-means", .reals(-5...5), default: .reals([-1, 1.5]), help: "the two classes' data means (equal prior)"),
        ParameterSpec("data-variance", .real(0.01...25), default: .real(0.25), help: "each class's data variance s²"),
        ParameterSpec("guidance", .real(-20...50), default: .real(7.5), help: "the guidance scale w (diffusers' convention)"),
        ParameterSpec("x", .reals(-20...20), default: .reals([-2, 0.3, 1.7]), help: "points xₜ"),
        .points,
    ],
    mutations: [
        Mutation("swapped", "the conditional and unconditional predictions exchanged: ε_c + w(ε_∅ − ε_c)"),
        Mutation("same-scale", "Ho & Salimans' (1 + w)ε_c − wε_∅ evaluated with diffusers' w instead of w − 1"),
        Mutation("rescale-inverted", "the rescale multiplies by std(guided)/std(cond) instead of std(cond)/std(guided)"),
    ],
    run: guidanceRows
)

@Sendable
func guidanceRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let means = context.parameters.reals("class-means")
    guard means.count == 2 else { throw CheckFailure("give exactly two class means") }
    let variance = context.parameters.real("data-variance")
    let w = context.parameters.real("guidance")
    let classes = means.map { GaussianDataDenoiser(data: Gaussian(mean: $0, variance: variance)) }
    let points = context.parameters.reals("x")
    guard !points.isEmpty else { throw CheckFailure("give at least one point x") }
    var stream = context.randomStream
    var rows: [CheckRow] = []
    func guided(_ unconditional: Double, _ conditional: Double, _ scale: Double) -> Double {
        context.mutated("swapped")
            ? ClassifierFreeGuidance.combine(unconditional: conditional, conditional: unconditional, scale: scale, convention: .diffusers)
            : ClassifierFreeGuidance.combine(unconditional: unconditional, conditional: conditional, scale: scale, convention: .diffusers)
    }
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 {
        let laws = classes.map { $0.noisedLaw(schedule, t: t) }
        /// log p(class 0 | x) by Bayes with equal priors.
        func logPosterior(_ x: Double) -> Double {
            let (a, b) = (laws[0].logDensity(x), laws[1].logDensity(x))
            return a - max(a, b) - Foundation.log(Foundation.exp(a - max(a, b)) + Foundation.exp(b - max(a, b)))
        }
        var worst = (gap: 0.0, value: 0.0, reference: 0.0)
        for x in points {
            // E[ε | x] of the mixture is the class-weighted average of the classes' E[ε | x, c].
            let responsibility = Foundation.exp(logPosterior(x))
            let (conditional, other) = (classes[0].epsilon(schedule, t: t, xt: x), classes[1].epsilon(schedule, t: t, xt: x))
            let unconditional = responsibility * conditional + (1 - responsibility) * other
            // ∇log p(c|x) by a five-point difference (error O(h⁴)), independent of the scores.
            let h = 1e-3 * min(laws[0].standardDeviation, 1) * max(1, abs(x))
            let slope = fivePointDerivative(at: x, step: h, logPosterior)
            let value = guided(unconditional, conditional, w)
            let reference = unconditional - w * schedule.sqrtOneMinusAlphaBar(t) * slope
            let gap = abs(value - reference) / max(abs(reference), 1)
            if gap >= worst.gap { worst = (gap, value, reference) }
        }
        rows.append(.exact("t=\(t): guided ε vs ε_∅ − w√(1−ᾱ)∇log p(c|x), worst point", closedForm: worst.value, exact: worst.reference, floor: 1))
    }
    // The two conventions on random predictions: diffusers' w against Ho & Salimans' w − 1.
    var worstConvention = (gap: 0.0, value: 0.0, reference: 0.0)
    var unconditional: [Double] = [], conditional: [Double] = []
    for _ in 0..<context.parameters.integer("points") {
        let (u, c) = (stream.normal(), stream.normal())
        unconditional.append(u)
        conditional.append(c)
        let diffusers = guided(u, c, w)
        let hoSalimans = ClassifierFreeGuidance.combine(unconditional: u, conditional: c, scale: context.mutated("same-scale") ? w : w - 1, convention: .hoSalimans)
        let gap = abs(diffusers - hoSalimans) / max(abs(diffusers), 1)
        if gap >= worstConvention.gap { worstConvention = (gap, hoSalimans, diffusers) }
    }
    rows.append(.exact("(1 + w′)ε_c − w′ε_∅ at w′ = w − 1 vs ε_∅ + w(ε_c − ε_∅), worst of \(unconditional.count)", closedForm: worstConvention.value, exact: worstConvention.reference, floor: 1))
    // Guidance rescale with φ = 1 brings the guided batch item's spread to the conditional one's.
    let guidedItem = zip(unconditional, conditional).map { guided($0, $1, w) }
    let rescaled: [Double]
    if context.mutated("rescale-inverted") {
        let ratio = ClassifierFreeGuidance.standardDeviation(guidedItem) / ClassifierFreeGuidance.standardDeviation(conditional)
        rescaled = guidedItem.map { $0 * ratio }
    } else {
        rescaled = ClassifierFreeGuidance.rescale(guided: guidedItem, conditional: conditional, phi: 1)
    }
    rows.append(.exact("std of the rescaled prediction (φ = 1) vs std of ε_c", closedForm: ClassifierFreeGuidance.standardDeviation(rescaled), exact: ClassifierFreeGuidance.standardDeviation(conditional)))
    return rows
}
