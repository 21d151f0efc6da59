import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Posterior

/// β̃₁ = 0, and the clipped log-variance uses β̃₂ there.
let clippedVarianceCheck = CheckDefinition(
    id: "posterior.clipped-variance",
    title: "At t = 1, β̃₁ = 0 and μ̃₁ = x₀; the stored log-variance is clipped to log β̃₂ so it stays finite",
    parameters: [.schedule(), .steps()],
    mutations: [Mutation("unclipped", "log β̃₁ stored as is: −∞")],
    run: clippedVarianceRows
)

@Sendable
func clippedVarianceRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let first = try ForwardPosterior(schedule, t: 1)
    let second = try ForwardPosterior(schedule, t: 2)
    let stored = context.mutated("unclipped") ? Foundation.log(first.variance) : first.logVarianceClipped
    return [
        .holds("β̃₁", value: first.variance, rule: "= 0", pass: first.variance == 0),
        .exact("coef1 at t=1", closedForm: first.coef1, exact: 1, relativeTolerance: 1e-15),
        .holds("coef2 at t=1", value: first.coef2, rule: "= 0", pass: first.coef2 == 0),
        .holds("stored log-variance at t=1 is finite", value: stored, rule: "finite", pass: stored.isFinite),
        .exact("stored log-variance at t=1 = log β̃₂", closedForm: stored, exact: Foundation.log(second.variance), relativeTolerance: 1e-15),
        .exact("stored log-variance at t=2 = log β̃₂", closedForm: second.logVarianceClipped, exact: Foundation.log(second.variance), relativeTolerance: 1e-15),
    ]
}
