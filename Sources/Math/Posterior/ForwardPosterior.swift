import Foundation
import ForwardProcess
import Gaussian

/// The forward-process posterior q(xₜ₋₁ | xₜ, x₀) = N(μ̃ₜ(xₜ, x₀), β̃ₜ) at one step t
/// (DDPM eq. 6–7), per coordinate:
///
/// μ̃ₜ = coef1·x₀ + coef2·xₜ, coef1 = √ᾱₜ₋₁ βₜ/(1 − ᾱₜ), coef2 = √αₜ (1 − ᾱₜ₋₁)/(1 − ᾱₜ),
/// β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ) · βₜ.
///
/// At t = 1, ᾱ₀ = 1 gives β̃₁ = 0, coef1 = 1, coef2 = 0: the posterior is the point x₀.
public struct ForwardPosterior: Sendable, Equatable {
    public let t: Int
    /// The coefficient of x₀ in μ̃ₜ.
    public let coef1: Double
    /// The coefficient of xₜ in μ̃ₜ.
    public let coef2: Double
    /// β̃ₜ, the posterior variance.
    public let variance: Double
    /// log β̃ with t = 1 replaced by β̃₂ ("clipped", as improved-diffusion stores it):
    /// β̃₁ = 0 has no logarithm, and a model whose variance is learned or fixed in log
    /// space needs a finite value at every step.
    public let logVarianceClipped: Double

    /// The posterior at step t of `schedule`; t must lie in 1…T.
    public init(_ schedule: NoiseSchedule, t: Int) throws {
        guard (1...schedule.steps).contains(t) else {
            throw PosteriorError("t must lie in 1…\(schedule.steps) (got \(t))")
        }
        self.t = t
        let step = Self.oneStep(schedule, t: t)
        coef1 = step.coef1
        coef2 = step.coef2
        variance = step.variance
        logVarianceClipped = Foundation.log(t == 1 && schedule.steps >= 2 ? Self.variance(schedule, t: 2) : variance)
    }

    /// `SkipPosterior` from t to t − 1, with 1 − ᾱ to full precision.
    static func oneStep(_ schedule: NoiseSchedule, t: Int) -> SkipPosterior<Double> {
        SkipPosterior(
            alphaBarPrevious: schedule.alphaBar(t - 1), oneMinusAlphaBar: schedule.oneMinusAlphaBar(t),
            oneMinusAlphaBarPrevious: schedule.oneMinusAlphaBar(t - 1), beta: schedule.beta(t))
    }

    /// β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ) · βₜ.
    static func variance(_ schedule: NoiseSchedule, t: Int) -> Double { oneStep(schedule, t: t).variance }

    /// μ̃ₜ(xₜ, x₀) = coef1·x₀ + coef2·xₜ.
    public func mean(x0: Double, xt: Double) -> Double { coef1 * x0 + coef2 * xt }

    /// q(xₜ₋₁ | xₜ, x₀).
    public func distribution(x0: Double, xt: Double) -> Gaussian {
        Gaussian(mean: mean(x0: x0, xt: xt), variance: variance)
    }
}

/// A request the posterior formulas cannot answer, with what is accepted.
public struct PosteriorError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
