import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import Stochastic

/// 003 (the reverse process): since x₀ is known in training, the reverse process "becomes
/// deterministic". False: knowing x₀ makes q(xₜ₋₁ | xₜ, x₀) a known Gaussian, not a point;
/// its variance β̃ₜ is positive for every t ≥ 2. The rows draw (xₜ₋₁, xₜ) forward from a
/// fixed x₀ and measure E[(xₜ₋₁ − μ̃ₜ(x₀, xₜ))²], which is β̃ₜ.
let posteriorNotDeterministicCheck = CheckDefinition(
    id: "notes.posterior-not-deterministic",
    title: "Knowing x₀ does not make the reverse step deterministic: Var(xₜ₋₁ | xₜ, x₀) = β̃ₜ > 0 for t ≥ 2",
    parameters: [.timesteps([2, 10, 500, 1000]), .samples(default: 100_000)],
    mutations: [Mutation("deterministic", "Var(xₜ₋₁ | xₜ, x₀) = 0, as the sentence says")],
    verdict: .false,
    sources: [Note.n003.at("36")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let x0 = 0.3
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where t >= 2 {
        let posterior = try ForwardPosterior(schedule, t: t)
        let (signal, noise) = (schedule.alphaBar(t - 1).squareRoot(), (1 - schedule.alphaBar(t - 1)).squareRoot())
        let (scale, step) = (schedule.alpha(t).squareRoot(), schedule.beta(t).squareRoot())
        let residual = MonteCarlo.mean(samples: context.samples, stream: &stream) { stream in
            let previous = signal * x0 + noise * stream.normal()
            let xt = scale * previous + step * stream.normal()
            let deviation = previous - posterior.mean(x0: x0, xt: xt)
            return deviation * deviation
        }
        let claimed = context.mutated("deterministic") ? 0 : posterior.variance
        rows.append(.monteCarlo("t=\(t): E[(xₜ₋₁ − μ̃ₜ)²] = β̃ₜ", closedForm: claimed, estimate: residual))
    }
    let smallest = try (2...schedule.steps).map { try ForwardPosterior(schedule, t: $0).variance }.min() ?? 0
    rows.append(.holds("min over t ≥ 2 of β̃ₜ", value: smallest, rule: "> 0: never deterministic", pass: smallest > 0))
    return rows
}
