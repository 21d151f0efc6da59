import CheckCore
import CheckKit
import FlowMatching
import Gaussian
import ScoreODE
import Stochastic

/// The flow's Euler step is σ-space Euler (DDIM), and Euler on the flow converges at order 1
/// to the exact transport of Gaussian data.
let flowEulerCheck = CheckDefinition(
    id: "flow.euler",
    title: "Flow Euler x' = x + (t'−t)u is σ-space Euler (= DDIM) with σ = t/(1−t); from t = 1 to 0 it converges at order 1 on Gaussian data",
    parameters: [
        ParameterSpec("mean", .real(-5...5), default: .real(0.5), help: "data mean m"),
        ParameterSpec("data-variance", .real(1e-4...25), default: .real(0.25), help: "data variance s²"),
        ParameterSpec("steps", .integers(1...100_000), default: .integers([64, 128, 256, 512]), help: "step counts K, increasing (uniform in t)"),
        ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random (x, t, t') for the step identity"),
    ],
    mutations: [
        Mutation("time-as-sigma", "the σ-space step taken with σ = t instead of t/(1 − t)"),
        Mutation("step-sign", "x' = x + (t − t')u: the step taken with dt > 0 while t runs from 1 down to 0"),
    ],
    run: flowEulerRows
)

@Sendable
func flowEulerRows(_ context: CheckContext) throws -> [CheckRow] {
    let data = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("data-variance"))
    let field = GaussianDataVelocity(data: data)
    var stream = context.randomStream
    var gap = 0.0
    for _ in 0..<context.parameters.integer("points") {
        let t = stream.uniform(in: 0.01...0.99), next = t * stream.uniform(in: 0...1)
        let x = field.marginal(t).sample(&stream)
        let u = field.velocity(x, t: t)
        let flow = FlowEuler.step(x, velocity: u, t: t, next: next)
        let (sigma, sigmaNext) = context.mutated("time-as-sigma") ? (t, next) : (LinearPath(t: t).sigma, LinearPath(t: next).sigma)
        let sigmaSpace = ODESolver.eulerStep(x / (1 - t), denoised: LinearPath(t: t).x0(fromVelocity: u, xt: x), sigma: sigma, next: sigmaNext) * (1 - next)
        gap = max(gap, abs(flow - sigmaSpace) / max(abs(flow), 1))
    }
    var rows: [CheckRow] = [.holds("max |flow Euler − (1−t')·σ-space Euler| / scale", value: gap, rule: "≤ 1e-12", pass: gap <= 1e-12)]
    let counts = context.parameters.integers("steps")
    guard counts.count >= 2, zip(counts, counts.dropFirst()).allSatisfy({ $0 < $1 }) else {
        throw CheckFailure("steps must list at least two increasing step counts (got \(counts))")
    }
    // From t = 1 (x = ε, here ε = 1.3) down to t = 0.001, where the exact value is finite.
    let (start, end) = (1.3, 0.001)
    let exact = field.transport(start, from: 1, to: end)
    var errors: [Double] = []
    for count in counts {
        let times = (0...count).map { 1 - (1 - end) * Double($0) / Double(count) }
        let x: Double
        if context.mutated("step-sign") {
            x = zip(times, times.dropFirst()).reduce(start) { x, s in x + (s.0 - s.1) * field.velocity(x, t: s.0) }
        } else {
            x = FlowEuler.solve(from: start, times: times) { field.velocity($0, t: $1) }
        }
        errors.append(abs(x - exact))
        rows.append(.holds("K=\(count): |x(t=0.001) − exact|", value: errors.last!, rule: "reported", pass: errors.last!.isFinite))
    }
    return rows + (try ObservedOrder.rows(counts: counts, errors: errors, order: 1))
}
