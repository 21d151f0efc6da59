import CheckCore
import CheckKit
import Gaussian
import Stochastic

/// aX + b ~ N(aμ + b, a²σ²).
let affineCheck = CheckDefinition(
    id: "gaussian.affine",
    title: "aX + b ~ N(aμ + b, a²σ²)",
    parameters: [
        ParameterSpec("mean", .real(-1e3...1e3), default: .real(1), help: "μ of X"),
        ParameterSpec("variance", .real(1e-6...1e6), default: .real(2), help: "σ² of X"),
        ParameterSpec("a", .real(-1e3...1e3), default: .real(-3), help: "scale a"),
        ParameterSpec("b", .real(-1e3...1e3), default: .real(0.5), help: "shift b"),
        .samples(default: 2_000_000),
    ],
    mutations: [Mutation("scale-not-squared", "variance |a|σ² instead of a²σ²")],
    run: affineRows
)

@Sendable
func affineRows(_ context: CheckContext) throws -> [CheckRow] {
    let x = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("variance"))
    let (a, b) = (context.parameters.real("a"), context.parameters.real("b"))
    let claimed = context.mutated("scale-not-squared")
        ? Gaussian(mean: a * x.mean + b, variance: abs(a) * x.variance)
        : x.affine(scale: a, shift: b)
    var stream = context.randomStream
    let sample = draws(context.samples, &stream) { s in a * x.sample(&s) + b }
    return gaussianEvidence("aX+b", samples: sample, claimed: claimed)
}
