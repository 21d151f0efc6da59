import CheckCore
import FlowMatching
import ForwardProcess
import Posterior

/// The linear path's identities: the ends from (xₜ, u), its σ, its VP form and v.
let pathCheck = CheckDefinition(
    id: "flow.path",
    title: "Rectified flow: xₜ = (1−t)x₀ + tε, u = ε − x₀; x₀ = xₜ − tu, ε = xₜ + (1−t)u; xₜ/(1−t) = x₀ + σε with σ = t/(1−t); v-prediction from u",
    parameters: [
        ParameterSpec("time", .reals(0...0.999), default: .reals([0.001, 0.25, 0.5, 0.9, 0.999]), help: "times t in [0, 1)"),
        ParameterSpec("x0", .real(-10...10), default: .real(0.8), help: "x₀"),
        ParameterSpec("epsilon", .real(-6...6), default: .real(-1.3), help: "ε"),
    ],
    mutations: [
        Mutation("velocity-reversed", "u = x₀ − ε, the velocity of the path run from noise to data taken for dxₜ/dt"),
        Mutation("sigma-is-t", "σ = t, the flow time taken for the noise level of the scaled sample"),
    ],
    run: pathRows
)

@Sendable
func pathRows(_ context: CheckContext) throws -> [CheckRow] {
    let (x0, epsilon) = (context.parameters.real("x0"), context.parameters.real("epsilon"))
    let times = context.parameters.reals("time")
    guard !times.isEmpty else { throw CheckFailure("give at least one t") }
    var rows: [CheckRow] = []
    for t in times {
        let path = LinearPath(t: t)
        let xt = path.sample(x0: x0, epsilon: epsilon)
        let u = context.mutated("velocity-reversed") ? x0 - epsilon : LinearPath.velocity(x0: x0, epsilon: epsilon)
        let label = "t=\(shortNumber(t))"
        rows.append(.exact("\(label): x₀ from (xₜ, u)", closedForm: path.x0(fromVelocity: u, xt: xt), exact: x0, relativeTolerance: 1e-12, floor: 1))
        rows.append(.exact("\(label): ε from (xₜ, u)", closedForm: path.epsilon(fromVelocity: u, xt: xt), exact: epsilon, relativeTolerance: 1e-12, floor: 1))
        let sigma = context.mutated("sigma-is-t") ? t : path.sigma
        rows.append(.exact("\(label): x₀ + σε vs xₜ/(1−t)", closedForm: x0 + sigma * epsilon, exact: xt / (1 - t), relativeTolerance: 1e-12, floor: 1))
        // v through the Posterior module's parameterization at the same ᾱ.
        let schedule = try NoiseSchedule(name: "flow at t=\(t)", beta: [1 - path.alphaBar])
        let v = Parameterization(schedule, t: 1).v(x0: x0, epsilon: epsilon)
        rows.append(.exact("\(label): v from (xₜ, u) vs √ᾱ ε − √(1−ᾱ) x₀", closedForm: path.v(fromVelocity: u, xt: xt), exact: v,
                           relativeTolerance: 1e-12, floor: 1))
    }
    return rows
}
