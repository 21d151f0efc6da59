import CheckCore
import CheckKit
import Gaussian
import Stochastic

/// Two forward steps are one: xₜ | xₜ₋₂ ~ N(√(αₜαₜ₋₁) xₜ₋₂, 1 − αₜαₜ₋₁).
let forwardMergeCheck = CheckDefinition(
    id: "gaussian.forward-merge",
    title: "√(αₜ(1−αₜ₋₁))·ε₂ + √(1−αₜ)·ε₁ ~ N(0, 1 − αₜαₜ₋₁): two forward steps merge into one",
    parameters: [
        ParameterSpec("alpha", .real(1e-6...1), default: .real(0.9), help: "αₜ"),
        ParameterSpec("alphaPrevious", .real(1e-6...1), default: .real(0.95), help: "αₜ₋₁"),
        ParameterSpec("x", .real(-1e3...1e3), default: .real(1.2), help: "the starting point xₜ₋₂"),
        .samples(default: 2_000_000),
    ],
    mutations: [Mutation("unscaled-noise", "noise variances added without the √αₜ factor: (1−αₜ) + (1−αₜ₋₁)")],
    run: forwardMergeRows
)

@Sendable
func forwardMergeRows(_ context: CheckContext) throws -> [CheckRow] {
    let alpha = context.parameters.real("alpha")
    let previous = context.parameters.real("alphaPrevious")
    let start = context.parameters.real("x")
    let variance = context.mutated("unscaled-noise")
        ? (1 - alpha) + (1 - previous)
        : ForwardMerge.mergedVariance(alpha: alpha, alphaPrevious: previous)
    let claimed = Gaussian(mean: (alpha * previous).squareRoot() * start, variance: variance)
    var stream = context.randomStream
    // Two honest steps of the chain: xₜ₋₁ = √αₜ₋₁ xₜ₋₂ + √(1−αₜ₋₁) ε₂, xₜ = √αₜ xₜ₋₁ + √(1−αₜ) ε₁.
    let sample = draws(context.samples, &stream) { s in
        let middle = previous.squareRoot() * start + (1 - previous).squareRoot() * s.normal()
        return alpha.squareRoot() * middle + (1 - alpha).squareRoot() * s.normal()
    }
    return [
        .exact("sum rule: αₜ(1−αₜ₋₁) + (1−αₜ)", closedForm: variance,
               exact: ForwardMerge.noise(alpha: alpha, alphaPrevious: previous).variance),
    ] + gaussianEvidence("xₜ given xₜ₋₂", samples: sample, claimed: claimed)
}
