import Foundation
import Stochastic

/// A d-dimensional Gaussian with diagonal covariance N(μ, diag(σ²)): d independent
/// coordinates. Isotropic N(μ, σ²I) is the case of equal variances.
public struct DiagonalGaussian: Sendable, Equatable {
    public let mean: [Double]
    public let variance: [Double]

    /// Means and variances of equal length (checked by the caller at the input edge).
    public init(mean: [Double], variance: [Double]) {
        self.mean = mean
        self.variance = variance
    }

    /// N(μ, σ² I).
    public static func isotropic(mean: [Double], variance: Double) -> DiagonalGaussian {
        DiagonalGaussian(mean: mean, variance: Array(repeating: variance, count: mean.count))
    }

    public var dimension: Int { mean.count }

    /// The independent one-dimensional coordinates.
    public var coordinates: [Gaussian] {
        zip(mean, variance).map { Gaussian(mean: $0, variance: $1) }
    }

    /// log N(x; μ, diag σ²) = Σᵢ log N(xᵢ; μᵢ, σᵢ²).
    public func logDensity(_ x: [Double]) -> Double {
        zip(coordinates, x).reduce(0) { $0 + $1.0.logDensity($1.1) }
    }

    /// One draw x = μ + σ ⊙ ε, ε ~ N(0, I).
    public func sample(_ stream: inout RandomStream) -> [Double] {
        coordinates.map { $0.sample(&stream) }
    }

    /// H = Σᵢ ½ log(2πe σᵢ²), in nats.
    public var entropy: Double { coordinates.reduce(0) { $0 + $1.entropy } }
}
