import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import Stochastic

/// ε, x₀ and v determine each other given xₜ.
let parameterizationCheck = CheckDefinition(
    id: "posterior.parameterizations",
    title: "x₀, ε and v = √ᾱₜ·ε − √(1−ᾱₜ)·x₀ convert into each other exactly, given xₜ",
    parameters: [
        .schedule(), .steps(), .timesteps([1, 10, 500, 1000]),
        ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random (x₀, ε) pairs per t"),
    ],
    mutations: [Mutation("swapped-v", "v = √ᾱₜ·x₀ − √(1−ᾱₜ)·ε: the roles of x₀ and ε swapped")],
    run: parameterizationRows
)

@Sendable
func parameterizationRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 {
        let conversions = Parameterization(schedule, t: t)
        var worst = 0.0
        for _ in 0..<context.parameters.integer("points") {
            let (x0, epsilon) = (stream.uniform(in: -1...1), stream.normal())
            let xt = ForwardProcess.noised(schedule, t: t, x0: x0, epsilon: epsilon)
            let v = context.mutated("swapped-v")
                ? conversions.signal * x0 - conversions.noise * epsilon
                : conversions.v(x0: x0, epsilon: epsilon)
            let gaps = [
                conversions.x0(fromEpsilon: epsilon, xt: xt) - x0,
                conversions.epsilon(fromX0: x0, xt: xt) - epsilon,
                conversions.x0(fromV: v, xt: xt) - x0,
                conversions.epsilon(fromV: v, xt: xt) - epsilon,
            ]
            // x₀ from ε divides by √ᾱₜ, ε from x₀ by √(1−ᾱₜ): scale the gaps accordingly.
            let scale = 1 / min(conversions.signal, conversions.noise)
            worst = max(worst, (gaps.map { abs($0) }.max() ?? 0) / (scale * max(abs(xt), 1)))
        }
        rows.append(.holds("t=\(t): max round-trip gap / scale", value: worst, rule: "≤ 1e-12", pass: worst <= 1e-12))
    }
    return rows
}
