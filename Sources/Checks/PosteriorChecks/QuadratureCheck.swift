import CheckCore
import CheckKit
import ForwardProcess
import Gaussian
import Posterior
import Stochastic

/// The Bayes ratio integrates to 1, with mean μ̃ₜ and variance β̃ₜ.
let quadratureCheck = CheckDefinition(
    id: "posterior.quadrature",
    title: "The Bayes ratio integrates to 1 and has mean μ̃ₜ = coef1·x₀ + coef2·xₜ and variance β̃ₜ",
    parameters: [
        .schedule(), .steps(), .timesteps([2, 10, 500, 1000]),
    ] + ParameterSpec.pairParameters,
    mutations: [Mutation("no-sqrt-alpha", "coef2 = αₜ(1−ᾱₜ₋₁)/(1−ᾱₜ), without the square root")],
    run: quadratureRows
)

@Sendable
func quadratureRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        guard t >= 2 else { throw CheckFailure("t = 1 has β̃₁ = 0: no density to integrate (use t ≥ 2)") }
        let (x0, xt) = context.pair(schedule, t: t)
        let p = try posterior(schedule, t: t, mutation: context.mutation)
        let ratio = bayesRatio(schedule, t: t, x0: x0, xt: xt)
        // Integrate around the ratio's own peak (not the formula under test): it sits at
        // the mean of the truth, which the quadrature itself confirms or refutes.
        let center = try ForwardPosterior(schedule, t: t).mean(x0: x0, xt: xt)
        let mass = try Quadrature.integrate(from: -.infinity, to: .infinity, center: center, ratio).value
        let first = try Quadrature.integrate(from: -.infinity, to: .infinity, center: center) { $0 * ratio($0) }.value
        let mean = p.mean(x0: x0, xt: xt)
        let second = try Quadrature.integrate(from: -.infinity, to: .infinity, center: center) { ($0 - first) * ($0 - first) * ratio($0) }.value
        rows.append(.exact("t=\(t): ∫ ratio = 1", closedForm: 1, exact: mass))
        rows.append(.exact("t=\(t): μ̃ vs ∫ x·ratio", closedForm: mean, exact: first, floor: p.variance.squareRoot()))
        rows.append(.exact("t=\(t): β̃ vs ∫ (x−μ)²·ratio", closedForm: p.variance, exact: second))
    }
    return rows
}
