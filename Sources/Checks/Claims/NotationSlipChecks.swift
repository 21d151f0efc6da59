import CheckCore
import CheckKit
import ForwardProcess
import Gaussian
import Posterior
import Stochastic

/// 002 (mathematical basics, the Gaussian): "expectation μ and variance σ", above a density
/// written with σ as the standard deviation. A slip: the variance is σ²; the density itself is
/// right. For μ = 0, σ = 2 the density's second moment is 4 (midpoint rule on ±20σ), not 2.
let varianceSymbolCheck = CheckDefinition(
    id: "notes.variance-symbol",
    title: "The Gaussian's variance is σ², not σ: the density with σ = 2 has second moment 4 and mass 1",
    parameters: [],
    mutations: [Mutation("variance-sigma", "the variance read as σ, as written")],
    verdict: .slip,
    sources: [Note.n002.at("322–325")]
) { context in
    let sigma = 2.0
    // The density as line 325 writes it: 1/(√(2π)σ)·exp(−(x − μ)²/2σ²).
    let density = Gaussian(mean: 0, variance: sigma * sigma)
    let (steps, half) = (400_000, 20 * sigma)
    let width = 2 * half / Double(steps)
    var mass = 0.0, second = 0.0
    for k in 0..<steps {
        let x = -half + (Double(k) + 0.5) * width
        mass += density.density(x) * width
        second += x * x * density.density(x) * width
    }
    let stated = context.mutated("variance-sigma") ? sigma : sigma * sigma
    return [
        .exact("∫ f(x) dx", closedForm: 1, exact: mass),
        .exact("∫ x² f(x) dx against the variance σ² = 4", closedForm: stated, exact: second),
        .holds("the written \"variance σ\" = 2 against ∫ x² f", value: abs(second - sigma), rule: "> 1: the written form fails", pass: abs(second - sigma) > 1),
    ]
}

/// 002 (the three known Gaussians of the reverse derivation): q(xₜ₋₁|x₀) is typeset as
/// √(āₜ − 1)·x₀ + √(1 − āₜ) − 1. A slip for √ᾱₜ₋₁·x₀ + √(1 − ᾱₜ₋₁)·z (as 003 writes it): read
/// literally, √(ᾱ₁ − 1) is the root of a negative number; the intended form is what the chain
/// gives: simulated 40,000 times from x₀ = 1 to step t − 1 = 99, mean √ᾱ₉₉ and variance 1 − ᾱ₉₉.
let posteriorPriorSlipCheck = CheckDefinition(
    id: "notes.posterior-garbled-prior",
    title: "q(xₜ₋₁|x₀) = N(√ᾱₜ₋₁ x₀, 1 − ᾱₜ₋₁), not √(ᾱₜ − 1)·x₀: the written root is of a negative number",
    parameters: [],
    mutations: [Mutation("literal", "the mean read as √|ᾱₜ − 1|·x₀, the typeset root made real")],
    verdict: .slip,
    sources: [Note.n002.at("401")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let (t, paths) = (100, 40_000)
    let radicand = schedule.alphaBar(t) - 1
    // Read literally the mean has no value; the mutation takes the nearest real reading, √|ᾱₜ − 1|.
    let mean = context.mutated("literal") ? abs(radicand).squareRoot() : schedule.sqrtAlphaBar(t - 1)
    var stream = context.randomStream
    var x = [Double](repeating: 1, count: paths)
    ForwardProcess.simulateChain(schedule, steps: t - 1, &x, stream: &stream)
    let moments = MomentAccumulator(x)
    return [
        .holds("written: ᾱₜ − 1 under the root at t = \(t)", value: radicand, rule: "< 0: no real root, the written form fails", pass: radicand < 0),
        .monteCarlo("mean of x₉₉ from x₀ = 1 (\(paths) chains) against √ᾱₜ₋₁", closedForm: mean, estimate: moments.meanEstimate),
        .monteCarlo("variance of x₉₉ against 1 − ᾱₜ₋₁", closedForm: schedule.oneMinusAlphaBar(t - 1), estimate: moments.varianceEstimate),
    ]
}

/// 002 (the reverse step's derivation): the step is written N(xₜ₋₁; μ, √βₜ·ε), a random variable
/// in the variance slot, and 1/√aₜ and √(1 − ᾱ) lose their index t. A slip for xₜ₋₁ = μ + √βₜ·ε
/// (variance βₜ) with ᾱₜ: read as a variance, √βₜ would give a spread of βₜ^{1/4} (0.376 at
/// β = 0.02, not 0.141), and ᾱ read as ᾱ_T would make the ε-coefficient at t = 1 a hundred times
/// too small.
let reverseSampleSlipCheck = CheckDefinition(
    id: "notes.reverse-sample-slips",
    title: "The reverse sample is μ + √βₜ ε, of variance βₜ (spread 0.141 at β = 0.02, not β^{1/4} = 0.376), and its ε-coefficient uses ᾱₜ, not ᾱ_T",
    parameters: [],
    mutations: [Mutation("literal", "√βₜ read as the variance and ᾱ as ᾱ_T")],
    verdict: .slip,
    sources: [Note.n002.at("217"), Note.n002.at("219")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let literal = context.mutated("literal")
    let (t, n) = (1000, 100_000)
    let beta = schedule.beta(t)
    var stream = context.randomStream
    let draws = (0..<n).map { _ in beta.squareRoot() * stream.normal() }
    let coefficient = { (alphaBar: Double) in schedule.beta(1) / (schedule.alpha(1).squareRoot() * (1 - alphaBar).squareRoot()) }
    let intended = coefficient(schedule.alphaBar(1)), written = coefficient(schedule.alphaBar(schedule.steps))
    return [
        .monteCarlo("variance of √βₜ·ε at t = T (β = \(shortNumber(beta))), \(n) draws", closedForm: literal ? beta.squareRoot() : beta,
                    estimate: MomentAccumulator(draws).varianceEstimate),
        .exact("ε-coefficient βₜ/(√αₜ√(1 − ᾱₜ)) at t = 1 against the Posterior's", closedForm: literal ? written : intended,
               exact: -(try ReverseStep.ancestralMap(schedule, t: 1, variance: .small).epsilon)),
        .holds("written with ᾱ_T: ratio to the intended", value: intended / written, rule: "> 50: the written form fails", pass: intended / written > 50),
    ]
}
