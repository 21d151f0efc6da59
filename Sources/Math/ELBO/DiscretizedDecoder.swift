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
    /// mass is a difference of normal CDFs, taken in whichever tail keeps it accurate.
    public static func logLikelihood(_ value: Double, mean: Double, logScale: Double) throws -> Double {
        guard value >= -1, value <= 1 else { throw DecoderError("x₀ must lie in [−1, 1] (got \(value))") }
        let x = level(of: value)
        guard mean.isFinite, logScale.isFinite else { throw DecoderError("the mean and log-scale must be finite") }
        let sigma = Foundation.exp(logScale)
        let lower = x <= -1 + 1 / 255 ? -Double.infinity : (x - 1.0 / 255 - mean) / sigma
        let upper = x >= 1 - 1 / 255 ? Double.infinity : (x + 1.0 / 255 - mean) / sigma
        let mass = lower > 0
            ? StandardNormal.survival(lower) - StandardNormal.survival(upper)
            : StandardNormal.cdf(upper) - StandardNormal.cdf(lower)
        return Foundation.log(mass)
    }

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
