import Foundation
import Gaussian
import Stochastic

/// Unadjusted Langevin dynamics (002, "connection with stochastic gradient Langevin
/// dynamics"): x ← x + (δ/2)∇log p(x) + √δ·ε, ε ~ N(0, 1), in one dimension, with the
/// drift's factor open to a mutation (the toy model's `LangevinDynamics` is the same step
/// on points in the plane, and the claim's 2-D chains use it).
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
