import CheckCore
import CheckKit
import ELBO
import ForwardProcess
import Foundation
import Gaussian
import Stochastic

/// "L_T can be ignored": how big KL(q(x_T|x₀) ‖ N(0,1)) is for each schedule.
let priorTermCheck = CheckDefinition(
    id: "elbo.prior-term",
    title: "L_T = KL(q(x_T|x₀) ‖ N(0,1)) = ½(ᾱ_T x₀² − ᾱ_T − log(1−ᾱ_T)) for every schedule, in nats and bits/dim",
    parameters: [.steps(), ParameterSpec("x0", .real(-10...10), default: .real(1), help: "x₀ (a pixel at full brightness: 1)")],
    mutations: [Mutation("mean-only", "L_T = ½ ᾱ_T x₀²: only the mean term, the variance mismatch forgotten")],
    run: priorTermRows
)

@Sendable
func priorTermRows(_ context: CheckContext) throws -> [CheckRow] {
    let x0 = context.parameters.real("x0")
    var rows: [CheckRow] = []
    for kind in ScheduleKind.allCases {
        let schedule = try NoiseSchedule.make(kind, steps: context.parameters.integer("T"))
        let bar = schedule.alphaBar(schedule.steps)
        let closed = context.mutated("mean-only")
            ? 0.5 * bar * x0 * x0
            : 0.5 * (bar * x0 * x0 - bar - Foundation.log1p(-bar))
        let q = ForwardProcess.marginal(schedule, t: schedule.steps, from: x0)
        // KL by quadrature of q log(q/p), an independent route. Its integrand cancels (log q and
        // log p are O(1), their difference tiny), so tiny values are compared on an absolute
        // scale of 1e-14 nats (floor 1e-5 × rel 1e-9).
        let integral = try Quadrature.integrate(from: -.infinity, to: .infinity, center: q.mean) { x in
            q.density(x) * (q.logDensity(x) - Gaussian.standard.logDensity(x))
        }.value
        rows.append(.exact("\(kind.rawValue): L_T nats vs ∫ q log(q/p)", closedForm: closed, exact: integral,
                           floor: 1e-5))
        rows.append(.holds("\(kind.rawValue): L_T in bits/dim", value: DiscretizedDecoder.bitsPerDimension(nats: closed), rule: "reported", pass: true))
    }
    return rows
}
