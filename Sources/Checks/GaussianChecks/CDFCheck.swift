import CheckCore
import CheckKit
import Gaussian
import Stochastic

/// P(X ≤ x) = Φ((x − μ)/σ).
let cdfCheck = CheckDefinition(
    id: "gaussian.cdf",
    title: "P(X ≤ x) = Φ((x−μ)/σ), against the integral of the density and sampled frequencies",
    parameters: [
        ParameterSpec("mean", .real(-1e3...1e3), default: .real(-1), help: "μ"),
        ParameterSpec("variance", .real(1e-6...1e6), default: .real(2.25), help: "σ²"),
        ParameterSpec("x", .reals(-1e4...1e4), default: .reals([-3, -1, 0.5, 2]), help: "points x"),
        .samples(default: 1_000_000),
    ],
    mutations: [Mutation("variance-for-sd", "Φ((x−μ)/σ²): dividing by the variance instead of σ")],
    run: cdfRows
)

@Sendable
func cdfRows(_ context: CheckContext) throws -> [CheckRow] {
    let g = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("variance"))
    let cdf: (Double) -> Double = context.mutated("variance-for-sd")
        ? { x in StandardNormal.cdf((x - g.mean) / g.variance) }
        : { x in g.cdf(x) }
    var stream = context.randomStream
    let points = context.parameters.reals("x")
    let sample = draws(context.samples, &stream, g.sample)
    var rows: [CheckRow] = []
    for x in points {
        rows.append(try .quadrature("Φ at x=\(shortNumber(x)) vs ∫₋∞ˣ N", closedForm: cdf(x), to: x, g.density))
        rows.append(.proportion("Φ at x=\(shortNumber(x)) vs frequency", closedForm: cdf(x), hits: sample.lazy.filter { $0 <= x }.count, trials: sample.count))
    }
    return rows
}
