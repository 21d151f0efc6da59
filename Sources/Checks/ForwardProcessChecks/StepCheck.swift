import CheckCore
import CheckKit
import ForwardProcess
import Gaussian
import Stochastic

/// One noising step q(xₜ | xₜ₋₁) = N(√αₜ xₜ₋₁, βₜ).
let stepCheck = CheckDefinition(
    id: "forward.step",
    title: "One noising step: √αₜ·xₜ₋₁ + √βₜ·ε ~ N(√αₜ xₜ₋₁, βₜ)",
    parameters: [
        .schedule(default: "linear"), .steps(),
        ParameterSpec("t", .integer(1...100_000), default: .integer(500), help: "the step t"),
        ParameterSpec("x", .real(-100...100), default: .real(2), help: "xₜ₋₁"),
        .samples(default: 2_000_000),
    ],
    mutations: [Mutation("no-sqrt-alpha", "mean αₜ·xₜ₋₁ instead of √αₜ·xₜ₋₁")],
    run: stepRows
)

@Sendable
func stepRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let t = context.parameters.integer("t")
    guard t <= schedule.steps else { throw CheckFailure("t = \(t) is beyond T = \(schedule.steps)") }
    let x = context.parameters.real("x")
    let truth = ForwardProcess.step(schedule, t: t, from: x)
    let claimed = context.mutated("no-sqrt-alpha") ? Gaussian(mean: schedule.alpha(t) * x, variance: truth.variance) : truth
    var stream = context.randomStream
    let draws = (0..<context.parameters.integer("samples")).map { _ -> Double in
        // One step of the chain, exactly as the chain simulation takes it.
        return schedule.alpha(t).squareRoot() * x + schedule.beta(t).squareRoot() * stream.normal()
    }
    return gaussianEvidence("x\(subscriptDigits(t)) given xₜ₋₁", samples: draws, claimed: claimed)
}
