import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Gaussian
import Stochastic

/// 002 (offset-noise section): Stable Diffusion's training schedule never turns an image into
/// pure noise. With scaled-linear β (0.00085 → 0.012, T = 1000), √ᾱ_T ≈ 0.068, so x_T keeps a
/// correlation √ᾱ_T with unit-variance data, while sampling starts from noise with none.
let terminalNoiseCheck = CheckDefinition(
    id: "notes.sd-terminal-noise",
    title: "Stable Diffusion's scaled-linear schedule ends at √ᾱ_T ≈ 0.068, not at pure noise",
    parameters: [.steps(), .samples(default: 1_000_000)],
    mutations: [Mutation("pure-noise", "x_T taken as pure noise: ᾱ_T = 0, no correlation with x₀")],
    verdict: .true,
    sources: [Note.n002.at("966–967")]
) { context in
    let schedule = try NoiseSchedule.make(.scaledLinear, steps: context.parameters.integer("T"))
    let linear = try NoiseSchedule.make(.linear, steps: context.parameters.integer("T"))
    let steps = schedule.steps
    let signal = context.mutated("pure-noise") ? 0 : schedule.sqrtAlphaBar(steps)
    // A second derivation of √ᾱ_T: exp(½ Σ log(1 − βₛ)).
    let viaLogs = Foundation.exp(0.5 * schedule.beta.reduce(0) { $0 + Foundation.log1p(-$1) })
    // Correlation of x_T with x₀ for x₀ ~ N(0, 1): E[x₀ x_T] = √ᾱ_T (both have unit variance).
    var stream = context.randomStream
    let product = MonteCarlo.mean(samples: context.samples, stream: &stream) { s in
        let x0 = s.normal()
        return x0 * ForwardProcess.noised(schedule, t: steps, x0: x0, epsilon: s.normal())
    }
    return [
        .exact("√ᾱ_T (scaled-linear) vs exp(½Σ log(1−βₛ))", closedForm: signal, exact: viaLogs),
        .holds("√ᾱ_T of scaled-linear", value: schedule.sqrtAlphaBar(steps), rule: "> 0.05: not pure noise",
               pass: schedule.sqrtAlphaBar(steps) > 0.05),
        .holds("√ᾱ_T of DDPM's linear schedule, for comparison", value: linear.sqrtAlphaBar(steps), rule: "reported", pass: true),
        .monteCarlo("E[x₀·x_T] = √ᾱ_T for x₀ ~ N(0,1)", closedForm: signal, estimate: product),
    ]
}
