import Foundation
import Stochastic

/// The discretized Gaussian decoder of DDPM §3.3 for 8-bit data scaled to [−1, 1]: pixel
/// value x (one of 256 levels 2k/255 − 1) gets the mass of N(μ, σ²) over its bin
/// [x − 1/255, x + 1/255], with the first bin extended to −∞ and the last to +∞, so the 256
/// probabilities sum to 1.
public enum DiscretizedDecoder {
    /// The 256 levels −1, −1 + 2/255, …, 1.
    public static let levels: [Double] = (0...255).map { Double($0) * 2 / 255 - 1 }

    /// The level whose bin holds x (the nearest of the 256; a tie goes to the lower one).
    public static func level(of x: Double) -> Double {
        let k = ((x + 1) * 255 / 2).rounded(.toNearestOrEven)
        return min(max(k, 0), 255) * 2 / 255 - 1
    }

    /// log P(x | μ, σ) in nats. x must lie in [−1, 1]; it is taken to its level first. The
    /// mass is a difference of normal CDFs, taken in the form that keeps it accurate: with both
    /// bin edges within one σ of μ, as ½(erf(u/√2) − erf(l/√2)) (near 0 erf keeps its relative
    /// precision, where two CDFs near ½ would cancel: at σ = e²⁰ the bin holds 6·10⁻¹² and
    /// Φ(u) − Φ(l) kept only 7 digits, at σ = e³⁵ none); beyond, as a difference of upper tails
    /// (right) or of lower tails (left). A mass that underflows gives −∞; one below the smallest
    /// normal Double (log P < −708.4) has lost digits, which `fullPrecisionLimit` lets callers refuse.
    public static func logLikelihood(_ value: Double, mean: Double, logScale: Double) throws -> Double {
        guard value >= -1, value <= 1 else { throw DecoderError("x₀ must lie in [−1, 1] (got \(value))") }
        let x = level(of: value)
        guard mean.isFinite, logScale.isFinite else { throw DecoderError("the mean and log-scale must be finite") }
        let sigma = Foundation.exp(logScale)
        let lower = x <= -1 + 1 / 255 ? -Double.infinity : (x - 1.0 / 255 - mean) / sigma
        let upper = x >= 1 - 1 / 255 ? Double.infinity : (x + 1.0 / 255 - mean) / sigma
        let mass: Double
        if lower >= -1, upper <= 1 {
            mass = 0.5 * (Foundation.erf(upper / 2.0.squareRoot()) - Foundation.erf(lower / 2.0.squareRoot()))
        } else if lower > 0 {
            mass = StandardNormal.survival(lower) - StandardNormal.survival(upper)
        } else {
            mass = StandardNormal.cdf(upper) - StandardNormal.cdf(lower)
        }
        return Foundation.log(mass)
    }

    /// log of the smallest normal Double, ≈ −708.4: a log-likelihood below it comes from a
    /// subnormal mass (fewer than 53 significant bits) or from 0.
    public static let fullPrecisionLimit = Foundation.log(Double.leastNormalMagnitude)

    /// Nats per dimension to bits per dimension: divide by ln 2.
    public static func bitsPerDimension(nats: Double, dimensions: Int = 1) -> Double {
        nats / (Double(dimensions) * Foundation.log(2))
    }
}

/// A decoder request outside what it accepts.
public struct DecoderError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
