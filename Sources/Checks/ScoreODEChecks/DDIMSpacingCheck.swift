import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import ScoreODE
import Stochastic

/// DDIM with η = 0 keeps q(x_τ | x₀) exactly along any visited timesteps: with the noise ε
/// that made xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε, eq. 12 gives x̂₀ = x₀ and x_prev = √ᾱ_prev x₀ +
/// √(1 − ᾱ_prev) ε, the same forward marginal one visited step lower (Song et al. 2021, §4.1).
/// So a K-step sampler is exact for every spacing (Lin et al. 2024, Table 2) — provided each
/// step moves to the next timestep the spacing visits and the last to ᾱ = 1.
let ddimSpacingCheck = CheckDefinition(
    id: "samplers.ddim-spacing",
    title: "DDIM (η = 0) along leading, linspace and trailing timesteps stays on q(x_τ | x₀) at every visited step",
    parameters: [
        .schedule(), .steps(),
        ParameterSpec("inference-steps", .integers(1...100_000), default: .integers([7, 10, 50]), help: "the numbers K of sampler steps"),
        .points,
    ],
    mutations: [
        Mutation("prev-by-stride", "each step moves to τ − ⌊T/K⌋ while the next starts at the next visited timestep (diffusers' DDIMScheduler)"),
        Mutation("final-alpha-first", "the last step moves to ᾱ₁ (set_alpha_to_one = false) instead of ᾱ₀ = 1"),
    ],
    run: ddimSpacingRows
)

@Sendable
func ddimSpacingRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let counts = context.parameters.integers("inference-steps")
    guard !counts.isEmpty else { throw CheckFailure("give at least one number of inference steps") }
    if let tooMany = counts.first(where: { $0 > schedule.steps }) {
        throw CheckFailure("K = \(tooMany) exceeds T = \(schedule.steps)")
    }
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for spacing in InferenceSpacing.allCases {
        for k in counts {
            // Diffusers' 0-based τ is the lessons' step t = τ + 1; t = 0 is the clean end.
            let visited = spacing.timesteps(k, trainSteps: schedule.steps, offset: 0).map { $0 + 1 }
            guard schedule.alphaBar(visited[0]) > 0 else {
                throw CheckFailure("ᾱ = 0 at t = \(visited[0]) (zero terminal SNR): eq. 15 cannot recover x̂₀ from ε there; use a schedule with ᾱ_T > 0")
            }
            var gap = 0.0
            for _ in 0..<context.parameters.integer("points") {
                let (x0, epsilon) = (stream.normal(), stream.normal())
                var x = schedule.sqrtAlphaBar(visited[0]) * x0 + schedule.sqrtOneMinusAlphaBar(visited[0]) * epsilon
                for (i, t) in visited.enumerated() {
                    let target = i + 1 < visited.count ? visited[i + 1] : 0
                    var moved = target
                    if context.mutated("prev-by-stride") { moved = max(t - schedule.steps / k, 0) }
                    if context.mutated("final-alpha-first"), target == 0 { moved = 1 }
                    x = ReverseStep.ddim(schedule, t: t, previous: moved, xt: x, epsilon: epsilon, eta: 0, z: 0)
                    let expected = schedule.sqrtAlphaBar(target) * x0 + schedule.sqrtOneMinusAlphaBar(target) * epsilon
                    // The first step recovers x̂₀ by dividing by √ᾱ at the first visited t, and
                    // every later step carries that rounding on: the chain's condition number.
                    gap = max(gap, abs(x - expected) * schedule.sqrtAlphaBar(visited[0]) / max(abs(expected), abs(x0), 1))
                }
            }
            rows.append(.holds(
                "\(spacing.rawValue), K=\(k) (first t = \(visited[0])): max |xₜ − (√ᾱₜ x₀ + √(1−ᾱₜ) ε)|·√ᾱ_first / scale",
                value: gap, rule: "≤ 1e-12", pass: gap <= 1e-12))
        }
    }
    return rows
}
