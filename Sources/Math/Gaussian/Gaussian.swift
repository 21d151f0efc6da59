import Foundation
import Stochastic

/// A one-dimensional Gaussian N(μ, σ²), held by its mean and variance.
public struct Gaussian: Sendable, Equatable, Codable {
    public let mean: Double
    public let variance: Double

    /// N(μ, σ²). The variance must be ≥ 0 (0 is the point mass at μ).
    public init(mean: Double, variance: Double) {
        self.mean = mean
        self.variance = variance
    }

    /// N(0, 1).
    public static let standard = Gaussian(mean: 0, variance: 1)

    public var standardDeviation: Double { variance.squareRoot() }

    /// log N(x; μ, σ²) = −½ log(2πσ²) − (x − μ)²/(2σ²).
    public func logDensity(_ x: Double) -> Double {
        let d = x - mean
        return -0.5 * Foundation.log(2 * Double.pi * variance) - d * d / (2 * variance)
    }

    /// N(x; μ, σ²) = exp(−(x − μ)²/(2σ²)) / √(2πσ²).
    public func density(_ x: Double) -> Double { Foundation.exp(logDensity(x)) }

    /// P(X ≤ x) = Φ((x − μ)/σ).
    public func cdf(_ x: Double) -> Double { StandardNormal.cdf((x - mean) / standardDeviation) }

    /// The reparameterization x = μ + σ ε with ε ~ N(0, 1): a sample whose randomness
    /// comes from ε alone, so μ and σ can be differentiated through (Kingma & Welling 2014).
    public func reparameterize(_ epsilon: Double) -> Double { mean + standardDeviation * epsilon }

    /// One draw, by reparameterization of a standard normal from `stream`.
    public func sample(_ stream: inout RandomStream) -> Double { reparameterize(stream.normal()) }

    /// aX + b ~ N(aμ + b, a²σ²).
    public func affine(scale a: Double, shift b: Double = 0) -> Gaussian {
        Gaussian(mean: a * mean + b, variance: a * a * variance)
    }

    /// X + Y ~ N(μ₁ + μ₂, σ₁² + σ₂²) for independent X and Y: means add, variances add.
    public static func + (x: Gaussian, y: Gaussian) -> Gaussian {
        Gaussian(mean: x.mean + y.mean, variance: x.variance + y.variance)
    }

    /// X − Y ~ N(μ₁ − μ₂, σ₁² + σ₂²) for independent X and Y: X + (−1)·Y, and (−1)² = 1,
    /// so the variances still add.
    public static func - (x: Gaussian, y: Gaussian) -> Gaussian {
        x + y.affine(scale: -1)
    }

    /// The differential entropy H = ½ log(2πe σ²), in nats.
    public var entropy: Double { 0.5 * Foundation.log(2 * Double.pi * M_E * variance) }
}
