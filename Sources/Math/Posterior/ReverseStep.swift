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

    /// Algorithm 2's step as the affine map xₜ₋₁ = a·xₜ + b·ε + σₜ·z, with the
    /// coefficients of eq. 11 (a = 1/√αₜ, b = −βₜ/(√(1 − ᾱₜ)√αₜ)) read off
    /// `ForwardPosterior.meanFromEpsilon`. Samplers that move many points at once in
    /// Float32 evaluate it per coordinate; `ancestral` is the same step in Double.
    public static func ancestralMap(_ schedule: NoiseSchedule, t: Int, variance: ReverseVariance) throws -> AffineStep {
        let intercept = try ForwardPosterior.meanFromEpsilon(schedule, t: t, xt: 0, epsilon: 0)
        precondition(intercept == 0, "the ε-form of the mean is linear in (xₜ, ε)")
        return AffineStep(
            xt: try ForwardPosterior.meanFromEpsilon(schedule, t: t, xt: 1, epsilon: 0),
            epsilon: try ForwardPosterior.meanFromEpsilon(schedule, t: t, xt: 0, epsilon: 1),
            noise: variance.value(schedule, t: t).squareRoot()
        )
    }

    /// The DDIM step from t to `previous` (eq. 12) as the affine map
    /// x_prev = a·xₜ + b·ε + σ·z, read off `ddim`.
    public static func ddimMap(_ schedule: NoiseSchedule, t: Int, previous: Int, eta: Double) -> AffineStep {
        AffineStep(
            xt: ddim(schedule, t: t, previous: previous, xt: 1, epsilon: 0, eta: eta, z: 0),
            epsilon: ddim(schedule, t: t, previous: previous, xt: 0, epsilon: 1, eta: eta, z: 0),
            noise: ddim(schedule, t: t, previous: previous, xt: 0, epsilon: 0, eta: eta, z: 1)
        )
    }

    /// The x₀ route: x̂₀ from ε (eq. 15), optionally clipped to [−c, c] (`clip` = c; DDPM's
    /// released code clips images to [−1, 1]), then the posterior mean μ̃ₜ(xₜ, x̂₀) (eq. 7),
    /// plus σₜ z. Without clipping this equals `ancestral` exactly.
    public static func viaX0(
        _ schedule: NoiseSchedule, t: Int, xt: Double, epsilon: Double, clip: Double?, variance: ReverseVariance, z: Double
    ) throws -> Double {
        let predicted = Parameterization(schedule, t: t).x0(fromEpsilon: epsilon, xt: xt)
        let x0 = clip.map { min(max(predicted, -$0), $0) } ?? predicted
        return try ForwardPosterior(schedule, t: t).mean(x0: x0, xt: xt) + variance.value(schedule, t: t).squareRoot() * z
    }

    /// σₜ(η) of DDIM (Song et al. 2021, eq. 16) for a step from t to `previous`:
    /// η · √((1 − ᾱ_prev)/(1 − ᾱₜ)) · √(1 − ᾱₜ/ᾱ_prev). η = 0 is deterministic DDIM;
    /// η = 1 with previous = t − 1 gives σ² = β̃ₜ, the DDPM posterior variance.
    public static func ddimSigma(_ schedule: NoiseSchedule, t: Int, previous: Int, eta: Double) -> Double {
        ddimStep(schedule, t: t, previous: previous, eta: eta).sigma
    }

    /// One DDIM step (Song et al. 2021, eq. 12) from t to any `previous` < t:
    /// x_prev = √ᾱ_prev x̂₀ + √(1 − ᾱ_prev − σ²) ε + σ z, with x̂₀ from ε (eq. 15).
    public static func ddim(
        _ schedule: NoiseSchedule, t: Int, previous: Int, xt: Double, epsilon: Double, eta: Double, z: Double
    ) -> Double {
        let x0 = Parameterization(schedule, t: t).x0(fromEpsilon: epsilon, xt: xt)
        return ddimStep(schedule, t: t, previous: previous, eta: eta).apply(x0: x0, epsilon: epsilon, z: z)
    }

    /// `DDIMStep` with 1 − ᾱ and 1 − ᾱₜ/ᾱ_prev to full precision.
    static func ddimStep(_ schedule: NoiseSchedule, t: Int, previous: Int, eta: Double) -> DDIMStep<Double> {
        DDIMStep(
            alphaBarPrevious: schedule.alphaBar(previous), oneMinusAlphaBar: schedule.oneMinusAlphaBar(t),
            oneMinusAlphaBarPrevious: schedule.oneMinusAlphaBar(previous),
            beta: schedule.oneMinusAlphaBarRatio(from: previous, to: t), eta: eta)
    }
}

/// A reverse step written as the affine map x_prev = xt·xₜ + epsilon·ε + noise·z, which
/// every sampler here is (ancestral DDPM, DDIM with any η). Its coefficients come from
/// the Double formulas above, so a Float32 sampler has no second copy of the math.
public struct AffineStep: Sendable, Equatable {
    public let xt: Double
    public let epsilon: Double
    public let noise: Double

    public init(xt: Double, epsilon: Double, noise: Double) {
        self.xt = xt
        self.epsilon = epsilon
        self.noise = noise
    }

    public func apply(xt x: Double, epsilon e: Double, z: Double) -> Double {
        xt * x + epsilon * e + noise * z
    }
}
