import Foundation

/// A DDPM noise schedule, computed once in Double.
///
/// Indexing: timesteps t = 1…T. The arrays are 0-based, entry i holding step t = i + 1;
/// the accessors take t itself. By convention ᾱ₀ = 1 (no noise before the first step).
///
/// - βₜ: the variance of the noise added at step t, q(xₜ|xₜ₋₁) = N(√αₜ xₜ₋₁, βₜ I);
/// - αₜ = 1 − βₜ;
/// - ᾱₜ = α₁ α₂ ⋯ αₜ, so q(xₜ|x₀) = N(√ᾱₜ x₀, (1 − ᾱₜ) I) (DDPM eq. 4);
/// - SNRₜ = ᾱₜ/(1 − ᾱₜ), the signal-to-noise ratio of xₜ.
public struct NoiseSchedule: Sendable, Equatable {
    /// How the schedule was made, e.g. "linear(1e-4, 0.02)".
    public let name: String
    public let beta: [Double]
    public let alpha: [Double]
    public let alphaBar: [Double]
    /// ᾱₜ₋₁ for t = 1…T (so entry 0 is ᾱ₀ = 1).
    public let alphaBarPrevious: [Double]
    /// 1 − ᾱₜ, computed as −expm1(Σₛ log(1 − βₛ)) rather than by subtraction: at small t,
    /// 1 − ᾱₜ ≈ Σβ is tiny and the subtraction would keep only a dozen digits (β₁ = 10⁻⁴
    /// loses four).
    public let oneMinusAlphaBar: [Double]

    /// A schedule from its βₜ, t = 1…T. Every β must lie in (0, 1]; β = 1 (all signal
    /// removed) is allowed, as the zero-terminal-SNR rescale ends with it.
    public init(name: String, beta: [Double]) throws {
        guard !beta.isEmpty else { throw ScheduleError("a schedule needs T ≥ 1 steps (got 0)") }
        if let bad = beta.firstIndex(where: { !($0 > 0 && $0 <= 1) }) {
            throw ScheduleError("β must lie in (0, 1] at every step; β at t=\(bad + 1) is \(beta[bad])")
        }
        self.name = name
        self.beta = beta
        alpha = beta.map { 1 - $0 }
        var product = 1.0
        var bars: [Double] = []
        bars.reserveCapacity(beta.count)
        for a in alpha {
            product *= a
            bars.append(product)
        }
        alphaBar = bars
        alphaBarPrevious = [1] + bars.dropLast()
        var logSum = 0.0
        oneMinusAlphaBar = beta.map { b in
            logSum += Foundation.log1p(-b)
            return -Foundation.expm1(logSum)
        }
    }

    /// The number of steps T.
    public var steps: Int { beta.count }

    public func beta(_ t: Int) -> Double { beta[t - 1] }
    public func alpha(_ t: Int) -> Double { alpha[t - 1] }
    /// ᾱₜ for t = 0…T, with ᾱ₀ = 1.
    public func alphaBar(_ t: Int) -> Double { t == 0 ? 1 : alphaBar[t - 1] }
    public func sqrtAlphaBar(_ t: Int) -> Double { alphaBar(t).squareRoot() }
    /// 1 − ᾱₜ for t = 0…T, to full relative precision (see `oneMinusAlphaBar`).
    public func oneMinusAlphaBar(_ t: Int) -> Double { t == 0 ? 0 : oneMinusAlphaBar[t - 1] }
    /// 1 − ᾱₜ/ᾱₛ = 1 − αₛ₊₁⋯αₜ for s < t, as −expm1(Σ log(1 − βᵣ)) (exact to a few ulps; for
    /// s = t − 1 it is βₜ).
    public func oneMinusAlphaBarRatio(from s: Int, to t: Int) -> Double {
        -Foundation.expm1(beta[s..<t].reduce(0) { $0 + Foundation.log1p(-$1) })
    }
    public func sqrtOneMinusAlphaBar(_ t: Int) -> Double { oneMinusAlphaBar(t).squareRoot() }
    /// SNRₜ = ᾱₜ/(1 − ᾱₜ).
    public func snr(_ t: Int) -> Double { alphaBar(t) / oneMinusAlphaBar(t) }
    /// log SNRₜ = log ᾱₜ − log(1 − ᾱₜ).
    public func logSNR(_ t: Int) -> Double { Foundation.log(alphaBar(t)) - Foundation.log(oneMinusAlphaBar(t)) }
}

/// An invalid schedule request, with what is accepted.
public struct ScheduleError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
