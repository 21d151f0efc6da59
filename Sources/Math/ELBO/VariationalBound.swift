import Foundation
import ForwardProcess
import Gaussian
import Posterior

/// The terms of the variational bound (DDPM eq. 5) for one data point x₀, in nats:
/// −ELBO = L_T + Σ_{t=2}^{T} L_{t−1} + L₀ with
/// - L_T = KL(q(x_T | x₀) ‖ p(x_T)),
/// - L_{t−1} = E_{q(xₜ|x₀)} KL(q(xₜ₋₁ | xₜ, x₀) ‖ p_θ(xₜ₋₁ | xₜ)),
/// - L₀ = −E_{q(x₁|x₀)} log p_θ(x₀ | x₁).
public struct VariationalBound: Sendable {
    /// L_T.
    public let prior: Double
    /// L_{t−1} for t = 2…T, entry i holding t = i + 2.
    public let denoising: [Double]
    /// L₀.
    public let decoder: Double

    /// Every term in closed form: the expectations over xₜ ~ N(√ᾱₜ x₀, 1 − ᾱₜ) are of
    /// quadratics, E[(c xₜ + d)²] = (c √ᾱₜ x₀ + d)² + c² (1 − ᾱₜ).
    public init(model: ReverseModel, x0: Double, kl: (Gaussian, Gaussian) -> Double = klDivergence) throws {
        let schedule = model.schedule
        prior = kl(ForwardProcess.marginal(schedule, t: schedule.steps, from: x0), .standard)
        denoising = try (2...schedule.steps).map { t in
            let posterior = try ForwardPosterior(schedule, t: t)
            let (a, b) = model.mean(t)
            // μ̃ − μ_θ = (coef2 − A) xₜ + (coef1 x₀ − B).
            let gap = expectedSquare(schedule, t: t, x0: x0, slope: posterior.coef2 - a, offset: posterior.coef1 * x0 - b)
            // KL of Gaussians averaged over xₜ: only the squared mean gap is random.
            let base = kl(Gaussian(mean: 0, variance: posterior.variance), Gaussian(mean: 0, variance: model.sigma2(t)))
            let unit = kl(Gaussian(mean: 1, variance: posterior.variance), Gaussian(mean: 0, variance: model.sigma2(t))) - base
            return base + unit * gap
        }
        let (a, b) = model.mean(1)
        let residual = expectedSquare(schedule, t: 1, x0: x0, slope: -a, offset: x0 - b)
        decoder = 0.5 * Foundation.log(2 * Double.pi * model.sigma2(1)) + residual / (2 * model.sigma2(1))
    }

    /// Σ of every term: −ELBO.
    public var total: Double { prior + denoising.reduce(0, +) + decoder }

    /// The evidence lower bound, E_q[log p_θ(x_{0:T})/q(x_{1:T}|x₀)] = −(all terms).
    public var elbo: Double { -total }

    /// [L_T, L_{T−1}, …, L₁, L₀], the order of `lessons calc vlb`.
    public var terms: [Double] { [prior] + denoising.reversed() + [decoder] }
}

/// E[(c·xₜ + d)²] for xₜ ~ q(xₜ | x₀) = N(√ᾱₜ x₀, 1 − ᾱₜ).
func expectedSquare(_ schedule: NoiseSchedule, t: Int, x0: Double, slope c: Double, offset d: Double) -> Double {
    let mean = c * schedule.sqrtAlphaBar(t) * x0 + d
    return mean * mean + c * c * schedule.oneMinusAlphaBar(t)
}
