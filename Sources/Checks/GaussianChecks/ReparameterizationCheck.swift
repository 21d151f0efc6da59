import CheckCore
import CheckKit
import Gaussian
import Stochastic

/// x = μ + σ ε with ε ~ N(0, 1) is a draw from N(μ, σ²).
let reparameterizationCheck = CheckDefinition(
    id: "gaussian.reparameterization",
    title: "μ + σ·ε with ε ~ N(0,1) is distributed as N(μ, σ²)",
    parameters: [
        ParameterSpec("mean", .real(-1e3...1e3), default: .real(2), help: "μ"),
        ParameterSpec("variance", .real(1e-6...1e6), default: .real(4), help: "σ²"),
        .samples(default: 2_000_000),
    ],
    mutations: [Mutation("variance-as-scale", "μ + σ²·ε: scaling the noise by the variance")],
    run: reparameterizationRows
)

@Sendable
func reparameterizationRows(_ context: CheckContext) throws -> [CheckRow] {
    let g = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("variance"))
    let transform: (Double) -> Double = context.mutated("variance-as-scale")
        ? { epsilon in g.mean + g.variance * epsilon }
        : { epsilon in g.reparameterize(epsilon) }
    var stream = context.randomStream
    let sample = draws(context.samples, &stream) { s in transform(s.normal()) }
    return gaussianEvidence("μ+σε", samples: sample, claimed: g)
}
