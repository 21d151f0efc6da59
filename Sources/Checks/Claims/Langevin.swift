import Foundation
import Gaussian

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
