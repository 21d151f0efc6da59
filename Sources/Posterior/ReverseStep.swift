import ForwardProcess

/// The fixed variance σₜ² of a reverse step p(xₜ₋₁ | xₜ) = N(μ, σₜ²) (DDPM §3.2).
public enum ReverseVariance: String, CaseIterable, Sendable {
    /// σₜ² = β̃ₜ: optimal when x₀ is a single point.
    case small
    /// σₜ² = βₜ: optimal when x₀ ~ N(0, I).
    case large

    public func value(_ schedule: NoiseSchedule, t: Int) -> Double {
        switch self {
        case .small: return ForwardPosterior.variance(schedule, t: t)
        case .large: return schedule.beta(t)
        }
    }
}

/// One step of the reverse process, given a predicted ε (from any model, or exact).
public enum ReverseStep {
    /// DDPM Algorithm 2: xₜ₋₁ = (xₜ − βₜ/√(1 − ᾱₜ) ε)/√αₜ + σₜ z (eq. 11 plus noise).
    /// Pass z = 0 for the last step (t = 1), as Algorithm 2 does.
    public static func ancestral(
        _ schedule: NoiseSchedule, t: Int, xt: Double, epsilon: Double, variance: ReverseVariance, z: Double
    ) throws -> Double {
        try ForwardPosterior.meanFromEpsilon(schedule, t: t, xt: xt, epsilon: epsilon)
            + variance.value(schedule, t: t).squareRoot() * z
    }

    /// The x₀ route: x̂₀ from ε (eq. 15), optionally clipped to [−1, 1], then the
    /// posterior mean μ̃ₜ(xₜ, x̂₀) (eq. 7), plus σₜ z. Without clipping this equals
    /// `ancestral` exactly.
    public static func viaX0(
        _ schedule: NoiseSchedule, t: Int, xt: Double, epsilon: Double, clip: Bool, variance: ReverseVariance, z: Double
    ) throws -> Double {
        let predicted = Parameterization(schedule, t: t).x0(fromEpsilon: epsilon, xt: xt)
        let x0 = clip ? min(max(predicted, -1), 1) : predicted
        return try ForwardPosterior(schedule, t: t).mean(x0: x0, xt: xt) + variance.value(schedule, t: t).squareRoot() * z
    }

    /// σₜ(η) of DDIM (Song et al. 2021, eq. 16) for a step from t to `previous`:
    /// η · √((1 − ᾱ_prev)/(1 − ᾱₜ)) · √(1 − ᾱₜ/ᾱ_prev). η = 0 is deterministic DDIM;
    /// η = 1 with previous = t − 1 gives σ² = β̃ₜ, the DDPM posterior variance.
    public static func ddimSigma(_ schedule: NoiseSchedule, t: Int, previous: Int, eta: Double) -> Double {
        let ratio = schedule.oneMinusAlphaBar(previous) / schedule.oneMinusAlphaBar(t)
        return eta * ratio.squareRoot() * schedule.oneMinusAlphaBarRatio(from: previous, to: t).squareRoot()
    }

    /// One DDIM step (Song et al. 2021, eq. 12) from t to any `previous` < t:
    /// x_prev = √ᾱ_prev x̂₀ + √(1 − ᾱ_prev − σ²) ε + σ z, with x̂₀ from ε (eq. 15).
    public static func ddim(
        _ schedule: NoiseSchedule, t: Int, previous: Int, xt: Double, epsilon: Double, eta: Double, z: Double
    ) -> Double {
        let sigma = ddimSigma(schedule, t: t, previous: previous, eta: eta)
        let x0 = Parameterization(schedule, t: t).x0(fromEpsilon: epsilon, xt: xt)
        let remaining = max(schedule.oneMinusAlphaBar(previous) - sigma * sigma, 0)
        return schedule.sqrtAlphaBar(previous) * x0 + remaining.squareRoot() * epsilon + sigma * z
    }
}
