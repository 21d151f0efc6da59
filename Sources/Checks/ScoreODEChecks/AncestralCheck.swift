import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import ScoreODE
import Stochastic

/// Euler ancestral's noise split, and its identity with DDIM at η = 1 in σ-space.
let ancestralCheck = CheckDefinition(
    id: "samplers.ancestral",
    title: "Euler ancestral: σ_up² + σ_down² = σ'², and with η = 1 it is DDIM (η = 1) in σ-space, noise and all",
    parameters: [
        .schedule(), .steps(), .timesteps([2, 21, 500, 1000]),
        .skips([1, 20]), .points,
    ],
    mutations: [
        Mutation("down-linear", "σ_down = σ' − σ_up (standard deviations subtracted instead of variances)"),
        Mutation("up-without-next", "σ_up = √(σ² − σ'²), without the factor σ'/σ"),
    ],
    run: ancestralRows
)

@Sendable
func ancestralRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let skips = try context.skips
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 {
        for skip in skips {
            let previous = t - skip
            guard previous >= 1 else { continue }
            let (sigma, next) = (schedule.sigma(t), schedule.sigma(previous))
            var split = AncestralSplit(sigma: sigma, next: next)
            if context.mutated("down-linear") { split = AncestralSplit(up: split.up, down: next - split.up) }
            if context.mutated("up-without-next") {
                let up = min(next, (sigma * sigma - next * next).squareRoot())
                split = AncestralSplit(up: up, down: (next * next - up * up).squareRoot())
            }
            let total = split.up * split.up + split.down * split.down
            rows.append(.exact("t=\(t) → \(previous): σ_up² + σ_down² vs σ'²", closedForm: total, exact: next * next, relativeTolerance: 1e-12))
            var gap = 0.0
            for _ in 0..<context.parameters.integer("points") {
                let (xt, epsilon, z) = (stream.normal() * 1.5, stream.normal(), stream.normal())
                let ddim = ReverseStep.ddim(schedule, t: t, previous: previous, xt: xt, epsilon: epsilon, eta: 1, z: z)
                let x = xt / schedule.sqrtAlphaBar(t)
                let step = split.step(x, denoised: x - sigma * epsilon, sigma: sigma, noise: z)
                let expected = ddim / schedule.sqrtAlphaBar(previous)
                gap = max(gap, abs(step - expected) / max(abs(expected), abs(x), 1))
            }
            rows.append(.holds("t=\(t) → \(previous): max |Euler-a − DDIM(η=1)/√ᾱ_prev| / scale", value: gap, rule: "≤ 1e-12", pass: gap <= 1e-12))
        }
    }
    return rows
}
