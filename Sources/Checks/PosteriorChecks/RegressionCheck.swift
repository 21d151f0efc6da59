import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import Stochastic

/// Simulated pairs (xₜ₋₁, xₜ) given x₀: the least-squares line of xₜ₋₁ on xₜ is the
/// posterior mean, and the scatter around it is β̃ₜ.
let regressionCheck = CheckDefinition(
    id: "posterior.regression",
    title: "Simulate (xₜ₋₁, xₜ) from x₀ and regress xₜ₋₁ on xₜ: slope coef2, intercept coef1·x₀, residual variance β̃ₜ",
    parameters: [
        .schedule(), .steps(), .timesteps([2, 100, 1000]),
        ParameterSpec("x0", .real(-10...10), default: .real(0.8), help: "x₀"),
        .samples(default: 1_000_000),
    ],
    mutations: [Mutation("no-signal-factor", "coef1 = βₜ/(1−ᾱₜ), without its factor √ᾱₜ₋₁")],
    run: regressionRows
)

@Sendable
func regressionRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let x0 = context.parameters.real("x0")
    let n = context.parameters.integer("samples")
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        guard t >= 2 else { throw CheckFailure("t = 1 has β̃₁ = 0: xₜ₋₁ = x₀ exactly, nothing to regress (use t ≥ 2)") }
        let p = try posterior(schedule, t: t, mutation: context.mutation)
        var previous = [Double](), current = [Double]()
        previous.reserveCapacity(n)
        current.reserveCapacity(n)
        for _ in 0..<n {
            let before = ForwardProcess.noised(schedule, t: t - 1, x0: x0, epsilon: stream.normal())
            previous.append(before)
            current.append(ForwardProcess.step(schedule, t: t, from: before).reparameterize(stream.normal()))
        }
        let fit = try LineFit(x: current, y: previous)
        rows.append(.monteCarlo("t=\(t): slope = coef2", closedForm: p.coef2, estimate: fit.slope))
        rows.append(.monteCarlo("t=\(t): intercept = coef1·x₀", closedForm: p.coef1 * x0, estimate: fit.intercept))
        rows.append(.monteCarlo("t=\(t): residual variance = β̃", closedForm: p.variance, estimate: fit.residualVariance))
    }
    return rows
}
