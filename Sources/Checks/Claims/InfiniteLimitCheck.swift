import CheckCore
import Foundation

/// 002 (forward diffusion): as T → ∞, x_T becomes an isotropic Gaussian. Qualified: only when
/// ᾱ_T → 0, i.e. Σβₜ = ∞ (for βₜ < 1). DDPM's schedules keep β bounded below, so they qualify;
/// a summable schedule does not: βₜ = 1/(2t²) gives ∏(1 − 1/(2t²)) = sin(π/√2)/(π/√2) ≈ 0.358
/// (Euler's product for the sine), so x_∞ keeps a correlation of √0.358 ≈ 0.6 with x₀.
let infiniteLimitCheck = CheckDefinition(
    id: "notes.infinite-t-limit",
    title: "x_T → N(0, I) as T → ∞ only if Σβₜ = ∞: for βₜ = 1/(2t²), ᾱ_∞ = sin(π/√2)/(π/√2) ≈ 0.358",
    parameters: [],
    mutations: [Mutation("always-vanishes", "ᾱ_∞ = 0 for any βₜ in (0, 1)")],
    verdict: .qualified,
    sources: [Note.n002.at("358")]
) { context in
    // log ∏_{t≤N}(1 − 1/(2t²)), plus the tail Σ_{t>N} log(1 − 1/(2t²)) = −1/(2N) + O(N⁻²).
    let n = 1_000_000
    var logProduct = 0.0
    for t in stride(from: n, through: 1, by: -1) { logProduct += Foundation.log1p(-0.5 / (Double(t) * Double(t))) }
    let limit = Foundation.exp(logProduct - 0.5 / Double(n))
    let x = Double.pi / 2.0.squareRoot()
    let closed = context.mutated("always-vanishes") ? 0 : Foundation.sin(x) / x
    let constant = Foundation.pow(0.98, 1000.0)
    return [
        .exact("βₜ = 1/(2t²): ∏(1 − βₜ) vs sin(π/√2)/(π/√2)", closedForm: closed, exact: limit),
        .holds("βₜ = 1/(2t²): Σβₜ = π²/12", value: Double.pi * Double.pi / 12, rule: "finite: the product stays above 0", pass: true),
        .holds("β = 0.02 for 1000 steps: ᾱ = 0.98¹⁰⁰⁰", value: constant, rule: "< 1e-8: vanishes (Σβ = ∞)", pass: constant < 1e-8),
    ]
}
