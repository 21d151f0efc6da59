import CheckCore
import CheckKit
import Foundation
import Stochastic

/// The unadjusted Langevin chain for the N(0, 1) target, x ← a·x + c·√δ·ε with a = 1 − δ/2
/// (score −x), run from x = 3 for `steps` steps in `chains` chains: the final points.
private func langevinChains(delta: Double, noiseScale c: Double, chains: Int, steps: Int, stream: inout RandomStream) -> [Double] {
    let a = 1 - delta / 2, scale = c * delta.squareRoot()
    var x = [Double](repeating: 3, count: chains)
    for _ in 0..<steps { for i in x.indices { x[i] = a * x[i] + scale * stream.normal() } }
    return x
}

/// 002 (Langevin dynamics): as T → ∞ and ε → 0, x_T follows the true density. A slip: the
/// quantity that must vanish is the step size δ (defined just before); with the noise ε → 0 the
/// chain becomes gradient ascent and collapses onto the mode. For N(0, 1) with δ = 0.01 the
/// stationary variance c²δ/(1 − a²) is 1.0025 with the full noise (c = 1) and 0 without.
let langevinLimitCheck = CheckDefinition(
    id: "notes.langevin-limit-symbol",
    title: "Langevin samples p as the step δ → 0, not as the noise ε → 0: N(0, 1) at δ = 0.01 keeps variance 1.0025, noise-free it collapses to 0",
    parameters: [],
    mutations: [Mutation("noise-to-zero", "the limit read as the noise ε → 0, as written")],
    verdict: .slip,
    sources: [Note.n002.at("383")]
) { context in
    let delta = 0.01, a = 1 - delta / 2, (chains, steps) = (20_000, 2000)
    let c = context.mutated("noise-to-zero") ? 0.0 : 1.0
    var stream = context.randomStream
    let x = langevinChains(delta: delta, noiseScale: c, chains: chains, steps: steps, stream: &stream)
    let stationary = c * c * delta / (1 - a * a)
    let noiseless = langevinChains(delta: delta, noiseScale: 0, chains: 100, steps: steps, stream: &stream)
    let collapsed = noiseless.map { $0 * $0 }.reduce(0, +) / Double(noiseless.count)  // spread about the mode 0
    return [
        .monteCarlo("variance after \(steps) steps of δ = 0.01 (\(chains) chains) against c²δ/(1 − a²)", closedForm: stationary,
                    estimate: MomentAccumulator(x).varianceEstimate),
        .holds("the target's variance 1 against the chain's stationary c²δ/(1 − a²)", value: abs(stationary - 1), rule: "≤ δ: p as δ → 0", pass: abs(stationary - 1) <= delta),
        .holds("written: noise → 0 (c = 0), the chains' variance after \(steps) steps", value: collapsed, rule: "< 0.01: collapsed onto the mode, the written form fails", pass: collapsed < 0.01),
    ]
}

/// 002 (SGLD against SGD): SGLD injects Gaussian noise into the updates so as not to get stuck in
/// local minima. Qualified: the noise is what makes the iterates samples of p (Welling and Teh
/// 2011), escaping optima is a by-product: without it the N(0, 1) chain goes to the mode (its
/// distance decays as aⁿ, 0.995¹⁰⁰⁰ = 0.0067) and its spread to 0; with it, variance 1.0025.
let sgldNoiseCheck = CheckDefinition(
    id: "notes.sgld-noise-role",
    title: "SGLD's noise makes the iterates samples of p: noise-free the N(0, 1) chain ends at the mode with no spread, with noise at variance 1.0025",
    parameters: [],
    mutations: [Mutation("noise-free-sampler", "the noise-free chain taken for a sampler")],
    verdict: .qualified,
    sources: [Note.n002.at("384")]
) { context in
    let delta = 0.01, a = 1 - delta / 2, (chains, steps) = (20_000, 1000)
    var stream = context.randomStream
    let noisy = langevinChains(delta: delta, noiseScale: 1, chains: chains, steps: steps, stream: &stream)
    let plain = langevinChains(delta: delta, noiseScale: 0, chains: 1, steps: steps, stream: &stream)
    let sampler = context.mutated("noise-free-sampler") ? plain + plain : noisy
    return [
        .exact("noise-free: distance from the mode after \(steps) steps from 3, against 3aⁿ", closedForm: 3 * pow(a, Double(steps)), exact: plain[0]),
        .monteCarlo("the sampler's variance (\(sampler.count) chains) against c²δ/(1 − a²) = \(shortNumber(delta / (1 - a * a)))", closedForm: delta / (1 - a * a),
                    estimate: MomentAccumulator(sampler).varianceEstimate),
    ]
}
