import ForwardProcess

/// The three things a denoiser can predict at step t, and the conversions between them,
/// all from xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε (DDPM eq. 4):
///
/// - x₀ from ε: x₀ = (xₜ − √(1 − ᾱₜ) ε)/√ᾱₜ (DDPM eq. 15);
/// - ε from x₀: ε = (xₜ − √ᾱₜ x₀)/√(1 − ᾱₜ);
/// - v = √ᾱₜ ε − √(1 − ᾱₜ) x₀ (Salimans & Ho 2022), with x₀ = √ᾱₜ xₜ − √(1 − ᾱₜ) v and
///   ε = √(1 − ᾱₜ) xₜ + √ᾱₜ v.
///
/// Written once over `ScheduleScalar`: `Parameterization` is the Double form the lessons use;
/// `lessons verify` evaluates the same conversions in rounding-bounded numbers.
public struct PredictionConversion<R: ScheduleScalar>: Sendable {
    public let signal: R  // √ᾱₜ
    public let noise: R  // √(1 − ᾱₜ)

    public init(signal: R, noise: R) {
        self.signal = signal
        self.noise = noise
    }

    /// From ᾱₜ alone, with 1 − ᾱₜ by subtraction (as code that stores only ᾱ computes it).
    public init(alphaBar: R) {
        self.init(signal: alphaBar.squareRoot(), noise: (R(1) - alphaBar).squareRoot())
    }

    public func x0(fromEpsilon epsilon: R, xt: R) -> R { (xt - noise * epsilon) / signal }
    public func epsilon(fromX0 x0: R, xt: R) -> R { (xt - signal * x0) / noise }
    public func v(x0: R, epsilon: R) -> R { signal * epsilon - noise * x0 }
    public func x0(fromV v: R, xt: R) -> R { signal * xt - noise * v }
    public func epsilon(fromV v: R, xt: R) -> R { noise * xt + signal * v }
}

/// The conversions in Double, at step t of a schedule (1 − ᾱₜ to full precision).
public typealias Parameterization = PredictionConversion<Double>

extension PredictionConversion where R == Double {
    public init(_ schedule: NoiseSchedule, t: Int) {
        self.init(signal: schedule.sqrtAlphaBar(t), noise: schedule.sqrtOneMinusAlphaBar(t))
    }

    /// x₀ from ε as the linear map x₀ = xt·xₜ + epsilon·ε, read off `x0(fromEpsilon:xt:)`.
    public var x0FromEpsilonMap: (xt: Double, epsilon: Double) { (x0(fromEpsilon: 0, xt: 1), x0(fromEpsilon: 1, xt: 0)) }
    /// ε from x₀ as the linear map ε = xt·xₜ + x0·x₀, read off `epsilon(fromX0:xt:)`.
    public var epsilonFromX0Map: (xt: Double, x0: Double) { (epsilon(fromX0: 0, xt: 1), epsilon(fromX0: 1, xt: 0)) }
}

extension ForwardPosterior {
    /// The ε-form of the posterior mean (DDPM eq. 11):
    /// μ̃ₜ = (xₜ − βₜ/√(1 − ᾱₜ) · ε)/√αₜ. Undefined when αₜ = 0 (the last step of a
    /// zero-terminal-SNR schedule), where it throws.
    public static func meanFromEpsilon(_ schedule: NoiseSchedule, t: Int, xt: Double, epsilon: Double) throws -> Double {
        try EpsilonForm(schedule, t: t).mean(xt: xt, epsilon: epsilon)
    }

    /// Eq. 11 at one step t, its two numbers computed once for many points: the noise
    /// scale βₜ/√(1 − ᾱₜ) and √αₜ, so μ̃ₜ = (xₜ − scale·ε)/√αₜ.
    public struct EpsilonForm: Sendable {
        public let noiseScale: Double
        public let rootAlpha: Double

        /// Throws when αₜ = 0 (the last step of a zero-terminal-SNR schedule).
        public init(_ schedule: NoiseSchedule, t: Int) throws {
            guard schedule.alpha(t) > 0 else {
                throw PosteriorError("the ε-form of the mean divides by √αₜ, and αₜ = 0 at t = \(t) of \(schedule.name)")
            }
            noiseScale = schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t)
            rootAlpha = schedule.alpha(t).squareRoot()
        }

        /// μ̃ₜ(xₜ, ε).
        @inline(__always)
        public func mean(xt: Double, epsilon: Double) -> Double { (xt - noiseScale * epsilon) / rootAlpha }
    }
}
