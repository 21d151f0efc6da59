import Foundation

/// KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½, in nats.
///
/// Zero exactly when the two are equal; the KL terms of the DDPM bound (eq. 5) are sums of it.
public func klDivergence(_ p: Gaussian, _ q: Gaussian) -> Double {
    let d = p.mean - q.mean
    return 0.5 * Foundation.log(q.variance / p.variance) + (p.variance + d * d) / (2 * q.variance) - 0.5
}

/// KL between diagonal Gaussians: the sum of the per-coordinate divergences.
public func klDivergence(_ p: DiagonalGaussian, _ q: DiagonalGaussian) -> Double {
    zip(p.coordinates, q.coordinates).reduce(0) { $0 + klDivergence($1.0, $1.1) }
}
