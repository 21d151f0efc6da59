import CheckCore
import CheckKit
import FlowMatching
import Gaussian
import Stochastic

/// The optimal velocity is the regression of ε − x₀ on xₜ: its residual has mean 0 and is
/// uncorrelated with xₜ (the defining property of a conditional expectation that is linear
/// in xₜ, as it is for Gaussian data).
let velocityCheck = CheckDefinition(
    id: "flow.velocity",
    title: "The optimal velocity u*(xₜ, t) = E[ε − x₀ | xₜ] on Gaussian data: residual mean 0 and uncorrelated with xₜ",
    parameters: [
        ParameterSpec("time", .reals(0.001...0.999), default: .reals([0.1, 0.5, 0.9]), help: "times t in (0, 1)"),
        ParameterSpec("mean", .real(-5...5), default: .real(0.5), help: "data mean m"),
        ParameterSpec("data-variance", .real(0...25), default: .real(0.25), help: "data variance s²"),
        .samples(default: 1_000_000),
    ],
    mutations: [
        Mutation("times-swapped", "x̂₀ with the weights of x₀ and ε swapped, (t and 1 − t exchanged in E[x₀ | xₜ])"),
        Mutation("no-mean-shift", "E[x₀ | xₜ] shrinking xₜ towards 0 instead of towards (1 − t)m"),
    ],
    run: velocityRows
)

@Sendable
func velocityRows(_ context: CheckContext) throws -> [CheckRow] {
    let data = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("data-variance"))
    let field = GaussianDataVelocity(data: data)
    let times = context.parameters.reals("time")
    guard !times.isEmpty else { throw CheckFailure("give at least one t") }
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in times {
        func velocity(_ x: Double) -> Double {
            if context.mutated("times-swapped") {
                let s = 1 - t
                let x0 = data.mean + s * data.variance / field.marginal(s).variance * (x - s * data.mean)
                return (x - (1 - t) * x0) / t - x0
            }
            if context.mutated("no-mean-shift") {
                let x0 = data.mean + (1 - t) * data.variance / field.marginal(t).variance * x
                return (x - (1 - t) * x0) / t - x0
            }
            return field.velocity(x, t: t)
        }
        var residual = MomentAccumulator(), product = MomentAccumulator()
        for _ in 0..<context.samples {
            let (x0, epsilon) = (data.sample(&stream), stream.normal())
            let xt = (1 - t) * x0 + t * epsilon
            let r = (epsilon - x0) - velocity(xt)
            residual.add(r)
            product.add(r * xt)
        }
        rows.append(.monteCarlo("t=\(shortNumber(t)): E[ε − x₀ − u*(xₜ)]", closedForm: 0, estimate: residual.meanEstimate))
        rows.append(.monteCarlo("t=\(shortNumber(t)): E[(ε − x₀ − u*(xₜ))·xₜ]", closedForm: 0, estimate: product.meanEstimate))
    }
    return rows
}
