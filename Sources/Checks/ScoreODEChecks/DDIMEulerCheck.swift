import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import ScoreODE
import Stochastic

/// DDIM with η = 0 (Song et al. 2021, eq. 12), divided by √ᾱ_prev, is one Euler step of the
/// probability-flow ODE in σ: x' = x + (σ_prev − σₜ)ε (Karras et al. 2022, §3; Lu et al. 2022).
let ddimEulerCheck = CheckDefinition(
    id: "samplers.ddim-euler",
    title: "DDIM (η = 0) is Euler on the probability-flow ODE: x_prev/√ᾱ_prev = xₜ/√ᾱₜ + (σ_prev − σₜ)ε, over any skip",
    parameters: [
        .schedule(), .steps(), .timesteps([2, 21, 500, 1000]),
        .skips([1, 20, 50]), .points,
    ],
    mutations: [
        Mutation("sigma-no-ratio", "σₜ = √(1 − ᾱₜ) in the Euler step (the VP noise scale for the VE σ)"),
        Mutation("unscaled", "the Euler step applied to xₜ itself, not to the scaled sample xₜ/√ᾱₜ"),
    ],
    run: ddimEulerRows
)

@Sendable
func ddimEulerRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let skips = try context.skips
    var stream = context.randomStream
    var rows: [CheckRow] = []
    func sigma(_ t: Int) -> Double { context.mutated("sigma-no-ratio") ? schedule.sqrtOneMinusAlphaBar(t) : schedule.sigma(t) }
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 {
        for previous in Set(skips.map { max(t - $0, 0) }).sorted(by: >) {
            var gap = 0.0
            for _ in 0..<context.parameters.integer("points") {
                let (xt, epsilon) = (stream.normal() * 1.5, stream.normal())
                let ddim = ReverseStep.ddim(schedule, t: t, previous: previous, xt: xt, epsilon: epsilon, eta: 0, z: 0)
                let x = context.mutated("unscaled") ? xt : xt / schedule.sqrtAlphaBar(t)
                let denoised = x - sigma(t) * epsilon
                let euler = ODESolver.eulerStep(x, denoised: denoised, sigma: sigma(t), next: sigma(previous))
                let expected = ddim / schedule.sqrtAlphaBar(previous)
                gap = max(gap, abs(euler - expected) / max(abs(expected), abs(x), 1))
            }
            rows.append(.holds("t=\(t) → \(previous): max |Euler − DDIM/√ᾱ_prev| / scale", value: gap, rule: "≤ 1e-12", pass: gap <= 1e-12))
        }
    }
    return rows
}
