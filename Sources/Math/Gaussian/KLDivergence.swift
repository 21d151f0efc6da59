import Foundation

/// KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½, in nats.
///
/// Zero exactly when the two are equal; the KL terms of the DDPM bound (eq. 5) are sums of it.
/// Evaluated as ½(u − log(1 + u)) + (μ₁ − μ₂)²/(2σ₂²) with u = (σ₁² − σ₂²)/σ₂², the same
/// value without the cancellation of "… − ½": with equal variances it is exactly the
/// squared-error term, to full relative precision however small.
public func klDivergence(_ p: Gaussian, _ q: Gaussian) -> Double {
    let d = p.mean - q.mean
    let u = (p.variance - q.variance) / q.variance
    return 0.5 * (u - Foundation.log1p(u)) + d * d / (2 * q.variance)
}

/// KL between diagonal Gaussians: the sum of the per-coordinate divergences.
public func klDivergence(_ p: DiagonalGaussian, _ q: DiagonalGaussian) -> Double {
    zip(p.coordinates, q.coordinates).reduce(0) { $0 + klDivergence($1.0, $1.1) }
}
