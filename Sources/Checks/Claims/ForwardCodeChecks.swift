import CheckCore
import CheckKit
import ForwardProcess
import Stochastic

/// 001 (CompVis' `q_sample`): the noised sample is sqrt_alphas_cumprod[t]·x₀ +
/// sqrt_one_minus_alphas_cumprod[t]·noise. True: the closed form q(xₜ|x₀), whose two
/// coefficients satisfy a² + b² = 1 at every t; sampled at t = 500 from x₀ = 1 it has mean √ᾱ and
/// variance 1 − ᾱ.
let qSampleCheck = CheckDefinition(
    id: "notes.q-sample-code",
    title: "q_sample is the closed form: coefficients √ᾱₜ and √(1 − ᾱₜ) with a² + b² = 1, samples at t = 500 of mean √ᾱ and variance 1 − ᾱ",
    parameters: [],
    mutations: [Mutation("per-step", "sqrt(alphas) (the per-step α) in place of sqrt(alphas_cumprod)")],
    verdict: .true,
    sources: [Note.n001.at("8")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let perStep = context.mutated("per-step")
    func signal(_ t: Int) -> Double { perStep ? schedule.alpha(t).squareRoot() : schedule.sqrtAlphaBar(t) }
    let worst = (1...schedule.steps).map { abs(signal($0) * signal($0) + schedule.oneMinusAlphaBar($0) - 1) }.max() ?? .infinity
    let (t, n) = (500, 100_000)
    var stream = context.randomStream
    let samples = (0..<n).map { _ in ForwardProcess.noised(x0: 1.0, epsilon: stream.normal(), signal: signal(t), noise: schedule.oneMinusAlphaBar(t).squareRoot()) }
    let moments = MomentAccumulator(samples)
    return [
        .holds("max over t of |a² + b² − 1|", value: worst, rule: "≤ 10⁻¹²: the coefficients of one unit-variance Gaussian", pass: worst <= 1e-12),
        .monteCarlo("mean of x₅₀₀ from x₀ = 1, \(n) draws", closedForm: schedule.sqrtAlphaBar(t), estimate: moments.meanEstimate),
        .monteCarlo("variance of x₅₀₀", closedForm: schedule.oneMinusAlphaBar(t), estimate: moments.varianceEstimate),
    ]
}

/// 004 and 003 (the forward process as a Markov chain): each state depends only on the one
/// before. True: for Gaussian data (variance 0.25) on the linear schedule, the exact covariance
/// of (xₜ₋₁, xₜ, xₜ₊₁) at t = 10 makes xₜ₋₁ and xₜ₊₁ strongly correlated (0.9989) yet
/// uncorrelated given xₜ: their partial correlation vanishes to rounding.
let markovForwardCheck = CheckDefinition(
    id: "notes.markov-forward",
    title: "The forward process is Markov: x₉ and x₁₁ correlate 0.9989, but not at all given x₁₀ (partial correlation 0 to rounding)",
    parameters: [],
    mutations: [Mutation("second-order", "a chain in which xₜ₊₁ also reads xₜ₋₁ (0.05·xₜ₋₁ added), as a second-order process would")],
    verdict: .true,
    sources: [Note.n004.at("83"), Note.n004.at("87"), Note.n003.at("4")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let t = 10, data = 0.25
    // Var(xₛ) and Cov(xₛ, xᵣ) = √(ᾱᵣ/ᾱₛ)·Var(xₛ) for s < r, from xᵣ = √(ᾱᵣ/ᾱₛ)·xₛ + independent noise.
    func variance(_ s: Int) -> Double { schedule.alphaBar(s) * data + schedule.oneMinusAlphaBar(s) }
    let v1 = variance(t - 1), v2 = variance(t)
    let c12 = schedule.alpha(t).squareRoot() * v1
    var c23 = schedule.alpha(t + 1).squareRoot() * v2, c13 = schedule.alpha(t + 1).squareRoot() * c12
    var v3 = variance(t + 1)
    if context.mutated("second-order") {
        // xₜ₊₁ = √αₜ₊₁·xₜ + k·xₜ₋₁ + √βₜ₊₁·ε.
        let k = 0.05
        c23 += k * c12
        c13 += k * v1
        v3 += k * k * v1 + 2 * k * schedule.alpha(t + 1).squareRoot() * c12
    }
    let r12 = c12 / (v1 * v2).squareRoot(), r23 = c23 / (v2 * v3).squareRoot(), r13 = c13 / (v1 * v3).squareRoot()
    let partial = (r13 - r12 * r23) / ((1 - r12 * r12) * (1 - r23 * r23)).squareRoot()
    return [
        .holds("corr(x₉, x₁₁)", value: r13, rule: "reported: strongly correlated", pass: r13 > 0.9),
        .holds("partial corr(x₉, x₁₁ | x₁₀)", value: partial, rule: "|·| ≤ 10⁻⁹: independent given the present", pass: abs(partial) <= 1e-9),
    ]
}

/// 002 (the whole forward process): running the forward process step by step would need t steps
/// to make one training sample at step t. True: over t uniform on 1…T that is (T + 1)/2 = 500.5
/// steps a sample on average, where the closed form needs one.
let naiveForwardCostCheck = CheckDefinition(
    id: "notes.naive-forward-cost",
    title: "Noising step by step costs t steps for a sample at t: 500.5 on average over t uniform on 1…1000, against 1 for the closed form",
    parameters: [],
    mutations: [Mutation("cost-T", "a cost of T steps for every sample")],
    verdict: .true,
    sources: [Note.n002.at("154")]
) { context in
    let steps = 1000
    // The steps `ForwardProcess.simulateChain` takes to reach t, averaged over every t.
    let perSample = (1...steps).map { context.mutated("cost-T") ? steps : $0 }
    let average = Double(perSample.reduce(0, +)) / Double(steps)
    return [
        .exact("mean steps per sample over t uniform on 1…T", closedForm: average, exact: Double(steps + 1) / 2),
        .holds("closed form: one draw of ε per sample; speed-up", value: average, rule: "reported", pass: average > 1),
    ]
}
