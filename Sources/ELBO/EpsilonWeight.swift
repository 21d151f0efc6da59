/// The ε-parameterized KL weight: with equal variances the KL between q(xₜ₋₁|xₜ,x₀) and
/// p_θ(xₜ₋₁|xₜ) is (μ̃ − μ_θ)²/(2σₜ²), and with μ = (xₜ − βₜ/√(1−ᾱₜ) ε)/√αₜ on both sides
/// (μ̃ − μ_θ)² = βₜ²/(αₜ(1 − ᾱₜ)) (ε − ε_θ)², so L_{t−1} = λₜ (ε − ε_θ)² with
/// λₜ = βₜ²/(2σₜ² αₜ (1 − ᾱₜ)) (DDPM eq. 12). L_simple drops λₜ.
public func epsilonWeight(beta: Double, alpha: Double, oneMinusAlphaBar: Double, sigma2: Double) -> Double {
    beta * beta / (2 * sigma2 * alpha * oneMinusAlphaBar)
}
