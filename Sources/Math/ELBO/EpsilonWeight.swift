import ForwardProcess

/// The ε-parameterized KL weight: with equal variances the KL between q(xₜ₋₁|xₜ,x₀) and
/// p_θ(xₜ₋₁|xₜ) is (μ̃ − μ_θ)²/(2σₜ²), and with μ = (xₜ − βₜ/√(1−ᾱₜ) ε)/√αₜ on both sides
/// (μ̃ − μ_θ)² = βₜ²/(αₜ(1 − ᾱₜ)) (ε − ε_θ)², so L_{t−1} = λₜ (ε − ε_θ)² with
/// λₜ = βₜ²/(2σₜ² αₜ (1 − ᾱₜ)) (DDPM eq. 12). L_simple drops λₜ.
///
/// Written once over `ScheduleScalar`: the lessons evaluate it in Double, `lessons verify`
/// in rounding-bounded numbers.
public func epsilonWeight<R: ScheduleScalar>(beta: R, alpha: R, oneMinusAlphaBar: R, sigma2: R) -> R {
    beta * beta / (R(2) * sigma2 * alpha * oneMinusAlphaBar)
}

/// The same term of the bound for the other targets, from the errors' identities
/// (ε̂ − ε)² = SNR·(x̂₀ − x₀)² and (v̂ − v)² = (SNR + 1)·(x̂₀ − x₀)² with SNR = ᾱ/(1 − ᾱ):
/// the weight of the x₀-error is λₜ·SNRₜ = λₜ ᾱₜ/(1 − ᾱₜ), that of the v-error
/// λₜ·SNRₜ/(SNRₜ + 1) = λₜ ᾱₜ.
public func x0Weight<R: ScheduleScalar>(epsilonWeight lambda: R, alphaBar: R) -> R { lambda * alphaBar / (R(1) - alphaBar) }
public func vWeight<R: ScheduleScalar>(epsilonWeight lambda: R, alphaBar: R) -> R { lambda * alphaBar }
