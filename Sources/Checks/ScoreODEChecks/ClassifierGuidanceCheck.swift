import CheckCore
import CheckKit
import Foundation
import Gaussian
import ScoreODE
import Stochastic

/// Classifier guidance on a Gaussian mixture whose components are the classes: the noised
/// classifier p_t(y|x) is exact (Bayes over the components' marginals), so its gradient, the
/// guided ε and the guided sampler can all be checked against the class's own law.
let classifierGuidanceCheck = CheckDefinition(
    id: "score.classifier-guidance",
    title: "Classifier guidance: ∇log p_t(y|x) = ∇log p_t(x|y) − ∇log p_t(x), ε̃ = ε − s√(1−ᾱₜ)∇log p_t(y|x), and at s = 1 the guided flow samples the class (mixture classes, VP-SDE)",
    parameters: ParameterSpec.mixtureParameters + [
        .betaMin, .betaMax,
        ParameterSpec("class", .integer(1...100), default: .integer(1), help: "the guided class y (a component, counted from 1)"),
        ParameterSpec("time", .reals(0...1), default: .reals([0.1, 0.5, 0.9]), help: "times where the gradient and ε̃ are compared"),
        ParameterSpec("x", .reals(-20...20), default: .reals([-2, 0.3, 1.7]), help: "points x"),
        ParameterSpec("ode-steps", .integer(1...100_000), default: .integer(100), help: "Runge–Kutta steps of the guided ODE"),
        .samples(default: 10_000),
    ],
    mutations: [
        Mutation("gradient-sign", "the classifier's gradient subtracted from the score (ε̃ = ε + s√(1−ᾱₜ)∇log p(y|x))"),
        Mutation("no-noise-scale", "ε̃ = ε − s∇log p(y|x), without the factor √(1−ᾱₜ)"),
        Mutation("likelihood-gradient", "∇log p_t(x|y) added in place of the classifier's ∇log p_t(y|x)"),
    ],
    run: classifierGuidanceRows
)

@Sendable
func classifierGuidanceRows(_ context: CheckContext) throws -> [CheckRow] {
    let p = context.parameters
    let data = try context.mixture
    let y = p.integer("class") - 1
    guard data.components.indices.contains(y) else {
        throw CheckFailure("class \(y + 1) is not a component: the mixture has \(data.components.count)")
    }
    let points = p.reals("x"), times = p.reals("time")
    guard !points.isEmpty, !times.isEmpty else { throw CheckFailure("give at least one point x and one time") }
    let sde = DiffusionSDE.variancePreserving(betaMin: p.real("beta-min"), betaMax: p.real("beta-max"))
    let classData = GaussianMixture(weights: [1], components: [data.components[y]])
    /// ∇log p_t(y|x) as the sampler uses it (with the mutations planted).
    func gradient(_ x: Double, _ marginal: GaussianMixture, _ conditional: GaussianMixture) -> Double {
        if context.mutated("likelihood-gradient") { return conditional.score(x) }
        let g = ClassifierGuidance.classifierGradient(conditionalScore: conditional.score(x), unconditionalScore: marginal.score(x))
        return context.mutated("gradient-sign") ? -g : g
    }
    var rows: [CheckRow] = []
    for t in times {
        let (marginal, conditional) = (sde.marginal(of: data, at: t), sde.marginal(of: classData, at: t))
        let noise = sde.noiseVariance(t).squareRoot()
        // log p_t(y|x) = log π_y + log p_t(x|y) − log p_t(x), differentiated from its values alone.
        func logPosterior(_ x: Double) -> Double { Foundation.log(data.weights[y]) + conditional.logDensity(x) - marginal.logDensity(x) }
        var worstGradient = (gap: -1.0, value: 0.0, reference: 0.0), worstEpsilon = (gap: -1.0, value: 0.0, reference: 0.0)
        for x in points {
            let h = 1e-3 * min(conditional.components[0].variance.squareRoot(), 1) * max(1, abs(x))
            let reference = fivePointDerivative(at: x, step: h, logPosterior)
            let value = gradient(x, marginal, conditional)
            let gap = abs(value - reference) / max(abs(reference), 1)
            if gap > worstGradient.gap { worstGradient = (gap, value, reference) }
            // ε of the mixture and of the class from their scores (ε = −√(1−ᾱₜ)·∇log p_t).
            let (epsilon, classEpsilon) = (-noise * marginal.score(x), -noise * conditional.score(x))
            let guided = ClassifierGuidance.guidedEpsilon(epsilon, classifierGradient: gradient(x, marginal, conditional), scale: 1,
                                                          noise: context.mutated("no-noise-scale") ? 1 : noise)
            let epsilonGap = abs(guided - classEpsilon) / max(abs(classEpsilon), 1)
            if epsilonGap > worstEpsilon.gap { worstEpsilon = (epsilonGap, guided, classEpsilon) }
        }
        rows.append(.exact("t=\(shortNumber(t)): ∇log p_t(y|x) vs five-point difference of log p_t(y|x), worst point",
                           closedForm: worstGradient.value, exact: worstGradient.reference, floor: 1))
        rows.append(.exact("t=\(shortNumber(t)): ε̃ at s = 1 vs the class's ε, worst point",
                           closedForm: worstEpsilon.value, exact: worstEpsilon.reference, floor: 1))
    }
    // The guided probability-flow ODE at s = 1, from p₁(x|y) back to t = 0, lands on the class's
    // data. (A deterministic flow keeps what it starts from: it starts from the class's p₁, which
    // the unconditional p₁ approaches only as ᾱ(1) → 0.)
    var stream = context.randomStream
    let start = (0..<context.samples).map { _ in sde.marginal(of: classData, at: 1).sample(&stream) }
    let guided = sde.transport(start, from: 1, to: 0, steps: p.integer("ode-steps")) { t in
        let (marginal, conditional) = (sde.marginal(of: data, at: t), sde.marginal(of: classData, at: t))
        return { x in ClassifierGuidance.guidedScore(marginal.score(x), classifierGradient: gradient(x, marginal, conditional), scale: 1) }
    }
    return rows + mixtureEvidence("the guided ODE's x₀ (s = 1), class \(y + 1)", samples: guided, claimed: classData)
}
