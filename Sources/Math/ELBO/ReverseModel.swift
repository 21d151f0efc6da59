import ForwardProcess
import Gaussian
import Posterior

/// The exactly solvable reverse model of the ELBO lesson, per coordinate: data
/// x₀ ~ N(m, s²), prior p(x_T) = N(0, 1), and p_θ(xₜ₋₁ | xₜ) = N(Aₜ xₜ + Bₜ, σₜ²) whose mean
/// is the ε-form (DDPM eq. 11) of the exact optimal ε*(xₜ) = E[ε | xₜ], linear in xₜ.
///
/// Variances: `small` σₜ² = β̃ₜ or `large` σₜ² = βₜ for t ≥ 2, and σ₁² = β̃₂ in both (the
/// clipped convention: β̃₁ = 0 would make the decoder p_θ(x₀ | x₁) a point). The decoder is
/// the Gaussian N(x₀; A₁ x₁ + B₁, σ₁²).
public struct ReverseModel: Sendable {
    public let schedule: NoiseSchedule
    public let data: Gaussian
    public let variance: ReverseVariance
    /// σ₁², overridable to show what a zero decoder variance does.
    public let decoderVariance: Double

    public init(schedule: NoiseSchedule, data: Gaussian, variance: ReverseVariance, decoderVariance: Double? = nil) throws {
        guard schedule.steps >= 2 else { throw PosteriorError("the model needs T ≥ 2 (σ₁² is β̃₂)") }
        guard schedule.alpha.allSatisfy({ $0 > 0 }) else {
            throw PosteriorError("the ε-form mean divides by √αₜ, and \(schedule.name) has αₜ = 0 at its last step")
        }
        self.schedule = schedule
        self.data = data
        self.variance = variance
        self.decoderVariance = try decoderVariance ?? ForwardPosterior(schedule, t: 2).variance
    }

    /// (Aₜ, Bₜ) of the mean μ_θ(xₜ) = Aₜ xₜ + Bₜ (eq. 11 of the exact ε*; αₜ > 0 is checked at init).
    public func mean(_ t: Int) -> (a: Double, b: Double) {
        GaussianDataDenoiser(data: data).reverseMean(schedule, t: t)
    }

    /// σₜ².
    public func sigma2(_ t: Int) -> Double { t == 1 ? decoderVariance : variance.value(schedule, t: t) }

    /// p_θ(xₜ₋₁ | xₜ).
    public func step(_ t: Int, from xt: Double) -> Gaussian {
        let (a, b) = mean(t)
        return Gaussian(mean: a * xt + b, variance: sigma2(t))
    }

    /// The model's own marginal p_θ(x₀): N(0, 1) pushed through every reverse step, exactly.
    public var marginal: Gaussian {
        var law = Gaussian.standard
        for t in stride(from: schedule.steps, through: 1, by: -1) {
            let (a, b) = mean(t)
            law = Gaussian(mean: a * law.mean + b, variance: a * a * law.variance + sigma2(t))
        }
        return law
    }

    /// log p_θ(x₀), exact.
    public func logLikelihood(_ x0: Double) -> Double { marginal.logDensity(x0) }
}
