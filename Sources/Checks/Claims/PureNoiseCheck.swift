import CheckCore
import CheckKit
import ForwardProcess
import Stochastic

/// 002 (the forward process step by step): at the last step the image's information is
/// completely destroyed, leaving pure noise. Qualified: x_T = √ᾱ_T x₀ + √(1 − ᾱ_T) ε keeps a
/// correlation √ᾱ_T with unit-variance data — 0.0064 on DDPM's linear schedule, small but not
/// 0; on Stable Diffusion's schedule 0.068, which the notes' own offset-noise item says is not
/// pure noise (`notes.sd-terminal-noise`). Only a zero-terminal-SNR schedule makes it 0.
let pureNoiseCheck = CheckDefinition(
    id: "notes.pure-noise-at-T",
    title: "x_T is not pure noise: its correlation with x₀ is √ᾱ_T = 0.0064 on the linear schedule (0.068 on SD's)",
    parameters: [.samples(default: 2_000_000)],
    mutations: [Mutation("no-signal", "ᾱ_T = 0: the last step taken to leave no trace of x₀")],
    verdict: .qualified,
    sources: [Note.n002.at("125")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let signal = schedule.alphaBar(1000).squareRoot(), noise = schedule.oneMinusAlphaBar(1000).squareRoot()
    let claimed = context.mutated("no-signal") ? 0 : signal
    var stream = context.randomStream
    // E[x₀ x_T] for x₀, ε ~ N(0, 1): the correlation, since both have unit variance.
    let product = MonteCarlo.mean(samples: context.samples, stream: &stream) { stream in
        let x0 = stream.normal()
        return x0 * (signal * x0 + noise * stream.normal())
    }
    let scaledLinear = try NoiseSchedule.make(.scaledLinear, steps: 1000).alphaBar(1000).squareRoot()
    return [
        .monteCarlo("linear: corr(x₀, x_T) = √ᾱ_T", closedForm: claimed, estimate: product),
        .holds("linear: √ᾱ_T", value: signal, rule: "> 0: not pure noise", pass: signal > 0),
        .holds("scaled linear (Stable Diffusion): √ᾱ_T", value: scaledLinear, rule: "reported: 10× more", pass: scaledLinear > signal),
    ]
}
