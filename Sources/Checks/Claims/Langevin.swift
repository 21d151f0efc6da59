import Foundation
import Gaussian
import Stochastic

/// Unadjusted Langevin dynamics (002, "connection with stochastic gradient Langevin
/// dynamics"): x ← x + (δ/2)∇log p(x) + √δ·ε, ε ~ N(0, 1).
enum Langevin {
    /// One step with the given score ∇log p and step size δ. `drift` scales the δ/2 factor
    /// (1 for the rule as written).
    static func step(_ x: Double, score: (Double) -> Double, delta: Double, epsilon: Double, drift: Double = 0.5) -> Double {
        x + drift * delta * score(x) + delta.squareRoot() * epsilon
    }

    /// The stationary variance of the chain for a Gaussian target N(μ, σ²): the step is
    /// x' − μ = a(x − μ) + √δ ε with a = 1 − δ/(2σ²), so v = a²v + δ gives
    /// v = δ/(1 − a²) = σ²/(1 − δ/(4σ²)) (for 0 < δ < 4σ²): always above σ², by a relative
    /// δ/(4σ² − δ).
    static func stationaryVariance(targetVariance s2: Double, delta: Double) -> Double {
        s2 / (1 - delta / (4 * s2))
    }
}

/// A two-component 1-D Gaussian mixture with its exact score.
struct GaussianMixture: Sendable {
    let weight: Double  // of the first component
    let first: Gaussian, second: Gaussian

    func density(_ x: Double) -> Double { weight * first.density(x) + (1 - weight) * second.density(x) }
    func cdf(_ x: Double) -> Double { weight * first.cdf(x) + (1 - weight) * second.cdf(x) }

    /// ∇log p = Σ wₖ pₖ(x)·(μₖ − x)/σₖ² / p(x), with the responsibilities computed in log space.
    func score(_ x: Double) -> Double {
        let l1 = Foundation.log(weight) + first.logDensity(x), l2 = Foundation.log(1 - weight) + second.logDensity(x)
        let top = max(l1, l2)
        let r1 = Foundation.exp(l1 - top), r2 = Foundation.exp(l2 - top)
        let s1 = (first.mean - x) / first.variance, s2 = (second.mean - x) / second.variance
        return (r1 * s1 + r2 * s2) / (r1 + r2)
    }
}

/// A two-component mixture of isotropic 2-D Gaussians N(μₖ, sₖ² I) with its exact score.
/// Its projection on a unit vector u is the 1-D mixture of N(u·μₖ, sₖ²), whose CDF is exact:
/// that is how the 2-D chains are tested (KS on several projections).
struct PlanarMixture: Sendable {
    let weight: Double
    let first: (mean: (Double, Double), variance: Double)
    let second: (mean: (Double, Double), variance: Double)

    /// ∇log p(x) = Σₖ rₖ(x)(μₖ − x)/sₖ², with the responsibilities rₖ in log space.
    func score(_ x: (Double, Double)) -> (Double, Double) {
        func logTerm(_ w: Double, _ c: (mean: (Double, Double), variance: Double)) -> Double {
            let dx = x.0 - c.mean.0, dy = x.1 - c.mean.1
            return Foundation.log(w) - Foundation.log(2 * Double.pi * c.variance) - (dx * dx + dy * dy) / (2 * c.variance)
        }
        let l1 = logTerm(weight, first), l2 = logTerm(1 - weight, second)
        let top = max(l1, l2)
        let r1 = Foundation.exp(l1 - top), r2 = Foundation.exp(l2 - top)
        let total = r1 + r2
        let gx = (r1 * (first.mean.0 - x.0) / first.variance + r2 * (second.mean.0 - x.0) / second.variance) / total
        let gy = (r1 * (first.mean.1 - x.1) / first.variance + r2 * (second.mean.1 - x.1) / second.variance) / total
        return (gx, gy)
    }

    /// The law of u·x for a unit vector u.
    func projected(on u: (Double, Double)) -> GaussianMixture {
        GaussianMixture(
            weight: weight,
            first: Gaussian(mean: u.0 * first.mean.0 + u.1 * first.mean.1, variance: first.variance),
            second: Gaussian(mean: u.0 * second.mean.0 + u.1 * second.mean.1, variance: second.variance))
    }
}
