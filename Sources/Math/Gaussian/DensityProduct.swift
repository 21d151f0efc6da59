import Foundation

/// The product of two Gaussian densities is a scaled Gaussian density (completing the square):
///
/// N(x; μ₁, σ₁²) · N(x; μ₂, σ₂²) = Z · N(x; μ, σ²), with
/// 1/σ² = 1/σ₁² + 1/σ₂² (precisions add), μ = σ²(μ₁/σ₁² + μ₂/σ₂²) (precision-weighted mean),
/// and Z = N(μ₁; μ₂, σ₁² + σ₂²).
///
/// This is how the DDPM posterior q(xₜ₋₁|xₜ, x₀) comes out Gaussian (eq. 6–7).
public struct DensityProduct: Sendable, Equatable {
    /// The normalized Gaussian N(μ, σ²).
    public let gaussian: Gaussian
    /// The scale factor Z: the product's total mass.
    public let scale: Double

    /// Z · N(μ, σ²) given directly.
    public init(gaussian: Gaussian, scale: Double) {
        self.gaussian = gaussian
        self.scale = scale
    }

    public init(_ first: Gaussian, _ second: Gaussian) {
        let precision = 1 / first.variance + 1 / second.variance
        let variance = 1 / precision
        let mean = variance * (first.mean / first.variance + second.mean / second.variance)
        gaussian = Gaussian(mean: mean, variance: variance)
        scale = Gaussian(mean: second.mean, variance: first.variance + second.variance).density(first.mean)
    }

    /// Z · N(x; μ, σ²).
    public func density(_ x: Double) -> Double { scale * gaussian.density(x) }
}
