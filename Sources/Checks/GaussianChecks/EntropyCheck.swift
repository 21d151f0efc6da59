import CheckCore
import CheckKit
import Foundation
import Gaussian
import Stochastic

/// H(N(μ, σ²)) = ½ log(2πe σ²).
let entropyCheck = CheckDefinition(
    id: "gaussian.entropy",
    title: "H(N(μ,σ²)) = ½ log(2πeσ²) nats, against −∫ p log p and −E[log p]",
    parameters: [
        ParameterSpec("mean", .real(-1e3...1e3), default: .real(0.7), help: "μ"),
        ParameterSpec("variance", .real(1e-6...1e6), default: .real(3), help: "σ²"),
        .samples(default: 1_000_000),
    ],
    mutations: [Mutation("missing-e", "½ log(2πσ²): the e inside the logarithm forgotten")],
    run: entropyRows
)

@Sendable
func entropyRows(_ context: CheckContext) throws -> [CheckRow] {
    let g = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("variance"))
    let entropy = context.mutated("missing-e") ? 0.5 * Foundation.log(2 * Double.pi * g.variance) : g.entropy
    var stream = context.randomStream
    let negativeLog = MonteCarlo.mean(samples: context.samples, stream: &stream) { s in -g.logDensity(g.sample(&s)) }
    return [
        try .quadrature("H vs −∫ p log p", closedForm: entropy, center: g.mean) { x in -g.density(x) * g.logDensity(x) },
        .monteCarlo("H vs −E[log p(X)]", closedForm: entropy, estimate: negativeLog),
    ]
}
