import CheckCore
import CheckKit
import Foundation
import Gaussian
import Stochastic

/// N(x; μ, σ²) is a probability density with mean μ and variance σ².
let densityCheck = CheckDefinition(
    id: "gaussian.density",
    title: "N(x; μ, σ²) integrates to 1, has mean μ and variance σ², and gives interval probabilities",
    parameters: [
        ParameterSpec("mean", .real(-1e3...1e3), default: .real(1.5), help: "μ"),
        ParameterSpec("variance", .real(1e-6...1e6), default: .real(4), help: "σ²"),
        .samples(default: 2_000_000),
    ],
    mutations: [Mutation("no-sqrt", "normalizer 1/(2πσ²) instead of 1/√(2πσ²)")],
    run: densityRows
)

@Sendable
func densityRows(_ context: CheckContext) throws -> [CheckRow] {
    let g = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("variance"))
    let density: (Double) -> Double = context.mutated("no-sqrt")
        ? { x in Foundation.exp(-(x - g.mean) * (x - g.mean) / (2 * g.variance)) / (2 * Double.pi * g.variance) }
        : { x in g.density(x) }
    let (a, b) = (g.mean - 0.5 * g.standardDeviation, g.mean + 1.5 * g.standardDeviation)
    let mass = try Quadrature.integrate(from: a, to: b, density).value
    var stream = context.randomStream
    let inside = (0..<context.samples).reduce(0) { count, _ in
        let x = g.sample(&stream)
        return x > a && x <= b ? count + 1 : count
    }
    return [
        try .quadrature("∫ N(x) dx", closedForm: 1, center: g.mean, density),
        try .quadrature("∫ x N(x) dx", closedForm: g.mean, center: g.mean, floor: g.standardDeviation) { x in x * density(x) },
        try .quadrature("∫ (x−μ)² N(x) dx", closedForm: g.variance, center: g.mean) { x in (x - g.mean) * (x - g.mean) * density(x) },
        .proportion("P(μ−σ/2 < X ≤ μ+3σ/2)", closedForm: mass, hits: inside, trials: context.samples),
    ]
}
