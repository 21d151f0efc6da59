import ForwardProcess

/// The forward-process posterior q(xₛ | xₜ, x₀) for any s < t (DDPM eq. 6–7, with the one-step
/// βₜ replaced by the skip's β_{t|s} = 1 − ᾱₜ/ᾱₛ, since q(xₜ | xₛ) = N(√(ᾱₜ/ᾱₛ) xₛ, β_{t|s})):
///
/// μ̃ = coef1·x₀ + coef2·xₜ, coef1 = √ᾱₛ β_{t|s}/(1 − ᾱₜ), coef2 = √(1 − β_{t|s}) (1 − ᾱₛ)/(1 − ᾱₜ),
/// β̃ = (1 − ᾱₛ)/(1 − ᾱₜ) · β_{t|s}.
///
/// A DDPM sampler that skips steps (K < T) moves along this posterior; with s = t − 1 it is
/// `ForwardPosterior`. Written over `ScheduleScalar` so `lessons verify` can bound the rounding
/// error of the same formula in someone else's precision.
public struct SkipPosterior<R: ScheduleScalar>: Sendable {
    /// β_{t|s} = 1 − ᾱₜ/ᾱₛ, the variance q(xₜ | xₛ) adds.
    public let beta: R
    /// The coefficient of x₀ in μ̃.
    public let coef1: R
    /// The coefficient of xₜ in μ̃.
    public let coef2: R
    /// β̃, the posterior variance.
    public let variance: R

    /// The posterior with these coefficients (a verifier's planted mistakes start from here).
    public init(beta: R, coef1: R, coef2: R, variance: R) {
        self.beta = beta
        self.coef1 = coef1
        self.coef2 = coef2
        self.variance = variance
    }

    /// From ᾱₛ, 1 − ᾱₜ, 1 − ᾱₛ and β_{t|s}, each as accurate as the caller has them.
    public init(alphaBarPrevious: R, oneMinusAlphaBar: R, oneMinusAlphaBarPrevious: R, beta: R) {
        self.beta = beta
        coef1 = alphaBarPrevious.squareRoot() * beta / oneMinusAlphaBar
        coef2 = (R(1) - beta).squareRoot() * oneMinusAlphaBarPrevious / oneMinusAlphaBar
        variance = oneMinusAlphaBarPrevious / oneMinusAlphaBar * beta
    }

    /// From ᾱₜ and ᾱₛ alone, the differences by subtraction (as code that stores only ᾱ has them).
    public init(alphaBar: R, alphaBarPrevious: R) {
        self.init(
            alphaBarPrevious: alphaBarPrevious, oneMinusAlphaBar: R(1) - alphaBar,
            oneMinusAlphaBarPrevious: R(1) - alphaBarPrevious, beta: R(1) - alphaBar / alphaBarPrevious)
    }

    /// μ̃(xₜ, x₀) = coef1·x₀ + coef2·xₜ.
    public func mean(x0: R, xt: R) -> R { coef1 * x0 + coef2 * xt }
}

/// One DDIM step (Song et al. 2021, eq. 12) from t to any s < t, given x̂₀ and ε̂:
/// xₛ = √ᾱₛ x̂₀ + √(1 − ᾱₛ − σ²) ε̂ + σ z, with σ(η) = η √((1 − ᾱₛ)/(1 − ᾱₜ)) √(1 − ᾱₜ/ᾱₛ)
/// (eq. 16). η = 0 is deterministic DDIM; η = 1 with s = t − 1 gives σ² = β̃ₜ.
public struct DDIMStep<R: ScheduleScalar>: Sendable {
    public let alphaBarPrevious: R
    public let sigma: R
    /// √(1 − ᾱₛ − σ²), the coefficient of ε̂ (the "direction pointing to xₜ"), 0 when σ² ≥ 1 − ᾱₛ.
    public let direction: R

    /// The step with these coefficients (a verifier's planted mistakes start from here).
    public init(alphaBarPrevious: R, sigma: R, direction: R) {
        self.alphaBarPrevious = alphaBarPrevious
        self.sigma = sigma
        self.direction = direction
    }

    /// From ᾱₛ, 1 − ᾱₜ, 1 − ᾱₛ and β_{t|s} = 1 − ᾱₜ/ᾱₛ, each as accurate as the caller has them.
    public init(alphaBarPrevious: R, oneMinusAlphaBar: R, oneMinusAlphaBarPrevious: R, beta: R, eta: R) {
        self.alphaBarPrevious = alphaBarPrevious
        sigma = eta * (oneMinusAlphaBarPrevious / oneMinusAlphaBar).squareRoot() * beta.squareRoot()
        direction = R.maximum(oneMinusAlphaBarPrevious - sigma * sigma, R(0)).squareRoot()
    }

    /// From ᾱₜ and ᾱₛ alone, the differences by subtraction (as code that stores only ᾱ has them).
    public init(alphaBar: R, alphaBarPrevious: R, eta: R) {
        self.init(
            alphaBarPrevious: alphaBarPrevious, oneMinusAlphaBar: R(1) - alphaBar,
            oneMinusAlphaBarPrevious: R(1) - alphaBarPrevious, beta: R(1) - alphaBar / alphaBarPrevious, eta: eta)
    }

    /// xₛ = √ᾱₛ x̂₀ + √(1 − ᾱₛ − σ²) ε̂ + σ z.
    public func apply(x0: R, epsilon: R, z: R) -> R {
        alphaBarPrevious.squareRoot() * x0 + direction * epsilon + sigma * z
    }
}
