import CheckCore
import CheckKit
import ForwardProcess
import Gaussian
import Stochastic

/// The t-step Markov chain against the closed form q(xₜ|x₀) = N(√ᾱₜ x₀, 1 − ᾱₜ).
let closedFormCheck = CheckDefinition(
    id: "forward.closed-form",
    title: "t noising steps of the chain, simulated, against the closed form q(xₜ|x₀) = N(√ᾱₜ x₀, 1−ᾱₜ)",
    parameters: [
        .schedule(default: "linear"), .steps(),
        .timesteps([1, 10, 100, 1000]),
        ParameterSpec("x0", .real(-100...100), default: .real(1.5), help: "the starting point x₀"),
        .samples(default: 200_000),
    ],
    mutations: [Mutation("sum-of-betas", "variance Σₛ βₛ: the injected noise variances added without the shrinking by √αₛ")],
    run: closedFormRows
)

@Sendable
func closedFormRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let x0 = context.parameters.real("x0")
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        let truth = ForwardProcess.marginal(schedule, t: t, from: x0)
        let claimed = context.mutated("sum-of-betas")
            ? Gaussian(mean: truth.mean, variance: schedule.beta[..<t].reduce(0, +))
            : truth
        var x = [Double](repeating: x0, count: context.parameters.integer("samples"))
        ForwardProcess.simulateChain(schedule, steps: t, &x, stream: &stream)
        rows += gaussianEvidence("x\(subscriptDigits(t)) after \(t) step\(t == 1 ? "" : "s")", samples: x, claimed: claimed)
    }
    return rows
}

/// "12" → "₁₂".
func subscriptDigits(_ n: Int) -> String {
    String(String(n).map { c in c.wholeNumberValue.map { Character(Unicode.Scalar(0x2080 + $0) ?? "?") } ?? c })
}
