import ForwardProcess
import Gaussian
import Stochastic

/// The exact reverse process when the data are x₀ ~ N(m, s²), per coordinate.
///
/// (x₀, ε, xₜ) are jointly Gaussian with xₜ ~ N(√ᾱₜ m, ᾱₜ s² + 1 − ᾱₜ), so
/// - the optimal ε-predictor E[ε | xₜ] = √(1 − ᾱₜ)/(ᾱₜ s² + 1 − ᾱₜ) · (xₜ − √ᾱₜ m) is linear in xₜ;
/// - Var(x₀ | xₜ) = s²(1 − ᾱₜ)/(ᾱₜ s² + 1 − ᾱₜ);
/// - the true reverse step q(xₜ₋₁ | xₜ) = N(μ̃ₜ(xₜ, E[x₀|xₜ]), β̃ₜ + coef1² Var(x₀ | xₜ)).
/// s² = 0 is a point mass at m.
public struct GaussianDataDenoiser: Sendable {
    public let data: Gaussian

    public init(data: Gaussian) { self.data = data }

    /// ε*(xₜ, t) = slope·xₜ + intercept.
    public func linear(_ schedule: NoiseSchedule, t: Int) -> (slope: Double, intercept: Double) {
        let slope = schedule.sqrtOneMinusAlphaBar(t) / noisedLaw(schedule, t: t).variance
        return (slope, -slope * schedule.sqrtAlphaBar(t) * data.mean)
    }

    public func epsilon(_ schedule: NoiseSchedule, t: Int, xt: Double) -> Double {
        Self.epsilon(linear(schedule, t: t), xt: xt)
    }

    /// ε* = slope·xₜ + intercept, with the line of one step computed once for many points.
    @inline(__always)
    public static func epsilon(_ line: (slope: Double, intercept: Double), xt: Double) -> Double {
        line.slope * xt + line.intercept
    }

    /// The reverse-step mean μ_θ(xₜ) = A xₜ + B that eq. 11 makes of ε* = a xₜ + b:
    /// A = (1 − βₜ a/√(1−ᾱₜ))/√αₜ and B = −βₜ b/(√(1−ᾱₜ) √αₜ). Needs αₜ > 0.
    public func reverseMean(_ schedule: NoiseSchedule, t: Int) -> (a: Double, b: Double) {
        let (slope, intercept) = linear(schedule, t: t)
        let scale = schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t)
        let root = schedule.alpha(t).squareRoot()
        return ((1 - scale * slope) / root, -scale * intercept / root)
    }

    /// q(xₜ) = N(√ᾱₜ m, ᾱₜ s² + 1 − ᾱₜ).
    public func noisedLaw(_ schedule: NoiseSchedule, t: Int) -> Gaussian {
        Gaussian(mean: schedule.sqrtAlphaBar(t) * data.mean,
                 variance: schedule.alphaBar(t) * data.variance + schedule.oneMinusAlphaBar(t))
    }

    /// Var(xₜ₋₁ | xₜ) of the true reverse process: β̃ₜ + coef1² · Var(x₀ | xₜ).
    public func reverseVariance(_ schedule: NoiseSchedule, t: Int) throws -> Double {
        let posterior = try ForwardPosterior(schedule, t: t)
        let cleanVariance = data.variance * schedule.oneMinusAlphaBar(t) / noisedLaw(schedule, t: t).variance
        return posterior.variance + posterior.coef1 * posterior.coef1 * cleanVariance
    }
}

/// The noise of each reverse step of a chain.
public enum ChainNoise: Sendable, Equatable {
    /// A fixed σₜ² (β̃ₜ or βₜ), with no noise at t = 1 (DDPM Algorithm 2).
    case fixed(ReverseVariance)
    /// The true reverse variance of the Gaussian data, at every step including t = 1.
    case trueReverse
    /// No noise at any step: DDPM's mean update alone (not DDIM's deterministic step).
    case none
}

/// The whole reverse chain x_T → … → x₀ driven by the exact denoiser of Gaussian data: every
/// step is xₜ₋₁ = A xₜ + B + σₜ z, so the law of x₀ is Gaussian and can be propagated
/// exactly, or sampled.
public struct ReverseChain: Sendable {
    public let schedule: NoiseSchedule
    public let denoiser: GaussianDataDenoiser
    public let noise: ChainNoise

    public init(schedule: NoiseSchedule, denoiser: GaussianDataDenoiser, noise: ChainNoise) {
        self.schedule = schedule
        self.denoiser = denoiser
        self.noise = noise
    }

    /// σₜ of step t.
    public func sigma(_ t: Int) throws -> Double {
        switch noise {
        case .fixed(let variance): return t == 1 ? 0 : variance.value(schedule, t: t).squareRoot()
        case .trueReverse: return try denoiser.reverseVariance(schedule, t: t).squareRoot()
        case .none: return 0
        }
    }

    /// (A, B) of step t (see `GaussianDataDenoiser.reverseMean`).
    func affine(_ t: Int) throws -> (a: Double, b: Double) {
        guard schedule.alpha(t) > 0 else {
            throw PosteriorError("the ε-form step divides by √αₜ, and αₜ = 0 at t = \(t) of \(schedule.name)")
        }
        return denoiser.reverseMean(schedule, t: t)
    }

    /// The exact law of x₀ when x_T ~ `start`.
    public func exactLaw(from start: Gaussian = .standard) throws -> Gaussian {
        var (mean, spread) = (start.mean, start.variance)
        for t in stride(from: schedule.steps, through: 1, by: -1) {
            let (a, b) = try affine(t)
            let s = try sigma(t)
            mean = a * mean + b
            spread = a * a * spread + s * s
        }
        return Gaussian(mean: mean, variance: spread)
    }

    /// `count` draws of x₀, each a full run of the chain from x_T ~ `start`, stepping with
    /// `ReverseStep.ancestral`'s formula (eq. 11) and the chain's σₜ.
    public func sample(_ count: Int, from start: Gaussian = .standard, stream: inout RandomStream) throws -> [Double] {
        var x = (0..<count).map { _ in start.sample(&stream) }
        for t in stride(from: schedule.steps, through: 1, by: -1) {
            let s = try sigma(t)
            // The step's coefficients once per t, the same numbers for every point.
            let line = denoiser.linear(schedule, t: t)
            let form = try ForwardPosterior.EpsilonForm(schedule, t: t)
            for i in x.indices {
                let epsilon = GaussianDataDenoiser.epsilon(line, xt: x[i])
                x[i] = form.mean(xt: x[i], epsilon: epsilon) + s * stream.normal()
            }
        }
        return x
    }
}
