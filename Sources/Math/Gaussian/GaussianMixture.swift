import Foundation
import Stochastic

/// A one-dimensional Gaussian mixture p(x) = Σₖ πₖ N(x; μₖ, sₖ²), with πₖ > 0 and Σₖ πₖ = 1.
///
/// Everything a score-based check needs is closed form:
///
/// - the score ∇log p(x) = Σₖ rₖ(x)(μₖ − x)/sₖ², with the responsibilities
///   rₖ(x) = πₖ N(x; μₖ, sₖ²)/p(x), computed in log space so that far points stay finite;
/// - the family is closed under the forward marginals of every linear diffusion:
///   aX + N(0, v) is the mixture of N(aμₖ, a²sₖ² + v) with the same weights (`scaled`);
/// - its central moments come from the components' (`centralMoment`), so skewness and
///   excess kurtosis are exact.
public struct GaussianMixture: Sendable, Equatable {
    /// The weights πₖ, summing to 1.
    public let weights: [Double]
    /// The components N(μₖ, sₖ²).
    public let components: [Gaussian]
    /// log πₖ − ½ log(2π sₖ²) and 1/sₖ², per component: the log-density's two constants, so a
    /// score costs one exponential per component (the SDE checks take tens of millions).
    private let logScales: [Double], precisions: [Double]

    /// A mixture of `components` with `weights`; the weights are divided by their sum.
    /// Weights must be positive and finite, variances positive (checked by precondition: a
    /// mixture is built by code, not read from input).
    public init(weights: [Double], components: [Gaussian]) {
        precondition(!weights.isEmpty && weights.count == components.count, "one weight per component, at least one")
        precondition(weights.allSatisfy { $0 > 0 && $0.isFinite }, "weights must be positive and finite")
        precondition(components.allSatisfy { $0.variance > 0 }, "component variances must be positive")
        let total = weights.reduce(0, +)
        self.init(validatedWeights: total == 1 ? weights : weights.map { $0 / total }, components: components)
    }

    /// π N(μ₁, s₁²) + (1 − π) N(μ₂, s₂²).
    public init(weight: Double, first: Gaussian, second: Gaussian) {
        precondition(weight > 0 && weight < 1, "the first weight must lie in (0, 1)")
        self.init(validatedWeights: [weight, 1 - weight], components: [first, second])
    }

    /// log πₖ + log N(x; μₖ, sₖ²) = log πₖ − ½ log(2π sₖ²) − (x − μₖ)²/(2sₖ²).
    @inline(__always)
    private func weightedLogDensity(_ k: Int, _ x: Double) -> Double {
        let d = x - components[k].mean
        return logScales[k] - 0.5 * precisions[k] * d * d
    }

    /// log p(x) = log Σₖ exp(log πₖ + log N(x; μₖ, sₖ²)), by log-sum-exp.
    public func logDensity(_ x: Double) -> Double {
        let logs = components.indices.map { weightedLogDensity($0, x) }
        let top = logs.max()!
        return top + Foundation.log(logs.reduce(0) { $0 + Foundation.exp($1 - top) })
    }

    public func density(_ x: Double) -> Double { Foundation.exp(logDensity(x)) }

    /// P(X ≤ x) = Σₖ πₖ Φ((x − μₖ)/sₖ).
    public func cdf(_ x: Double) -> Double {
        zip(weights, components).reduce(0) { $0 + $1.0 * $1.1.cdf(x) }
    }

    /// rₖ(x) = πₖ N(x; μₖ, sₖ²)/p(x): the posterior probability of component k given x.
    public func responsibilities(_ x: Double) -> [Double] {
        let logs = components.indices.map { weightedLogDensity($0, x) }
        let top = logs.max()!
        let unnormalized = logs.map { Foundation.exp($0 - top) }
        let total = unnormalized.reduce(0, +)
        return unnormalized.map { $0 / total }
    }

    /// ∇log p(x) = Σₖ rₖ(x)(μₖ − x)/sₖ²: each component's score, weighted by its responsibility.
    /// One pass, the log-sum-exp shift raised as larger terms appear (the sums rescaled by
    /// exp(old − new), the new top term's weight exp(0) = 1), so each component after the
    /// first costs one exponential: the Langevin checks evaluate this 10⁸ times.
    public func score(_ x: Double) -> Double {
        var top = -Double.infinity, numerator = 0.0, total = 0.0
        for k in components.indices {
            let l = weightedLogDensity(k, x)
            let r: Double
            if l > top {
                if top > -.infinity {
                    let rescale = Foundation.exp(top - l)
                    numerator *= rescale
                    total *= rescale
                }
                top = l
                r = 1
            } else {
                r = Foundation.exp(l - top)
            }
            numerator += r * (components[k].mean - x) * precisions[k]
            total += r
        }
        return numerator / total
    }

    /// The law of aX + Z with Z ~ N(0, v) independent of X: Σₖ πₖ N(aμₖ, a²sₖ² + v). This is
    /// the marginal at time t of every linear diffusion started from the mixture (a the
    /// signal scale, v the added noise variance).
    public func scaled(by a: Double, addingVariance v: Double) -> GaussianMixture {
        affine(scale: a, shift: 0, addingVariance: v)
    }

    private init(validatedWeights weights: [Double], components: [Gaussian]) {
        self.weights = weights
        self.components = components
        logScales = zip(weights, components).map { Foundation.log($0) - 0.5 * Foundation.log(2 * Double.pi * $1.variance) }
        precisions = components.map { 1 / $0.variance }
    }

    /// The law of X given Y = y, where Y = aX + Z, Z ~ N(0, v): Bayes' rule per component.
    /// Component k's evidence is N(y; aμₖ, a²sₖ² + v) and its posterior is Gaussian with gain
    /// κₖ = a sₖ²/(a²sₖ² + v): mean μₖ + κₖ(y − aμₖ), variance sₖ²(1 − aκₖ) = sₖ²v/(a²sₖ² + v);
    /// the weights become πₖ·evidenceₖ, normalized (in log space).
    public func conditioned(onObservation y: Double, scale a: Double, noiseVariance v: Double) -> GaussianMixture {
        let evidence = zip(weights, components).map { w, c in
            Foundation.log(w) + Gaussian(mean: a * c.mean, variance: a * a * c.variance + v).logDensity(y)
        }
        let top = evidence.max()!
        let unnormalized = evidence.map { Foundation.exp($0 - top) }
        let total = unnormalized.reduce(0, +)
        let posteriors = components.map { c -> Gaussian in
            let spread = a * a * c.variance + v
            return Gaussian(mean: c.mean + a * c.variance / spread * (y - a * c.mean), variance: c.variance * v / spread)
        }
        return GaussianMixture(validatedWeights: unnormalized.map { $0 / total }, components: posteriors)
    }

    /// The law of bX + c + Z with Z ~ N(0, v): Σₖ πₖ N(bμₖ + c, b²sₖ² + v).
    public func affine(scale b: Double, shift c: Double, addingVariance v: Double) -> GaussianMixture {
        GaussianMixture(validatedWeights: weights, components: components.map { Gaussian(mean: b * $0.mean + c, variance: b * b * $0.variance + v) })
    }

    /// E[X] = Σₖ πₖ μₖ.
    public var mean: Double { zip(weights, components).reduce(0) { $0 + $1.0 * $1.1.mean } }

    /// E[(X − E X)ⁿ] for n = 2, 3, 4, taken about the mixture mean component by component
    /// (with dₖ = μₖ − E X: Σπₖ(dₖ² + sₖ²), Σπₖ(dₖ³ + 3dₖsₖ²), Σπₖ(dₖ⁴ + 6dₖ²sₖ² + 3sₖ⁴)), so
    /// no large raw moments cancel.
    public func centralMoment(_ n: Int) -> Double {
        precondition((2...4).contains(n), "central moments 2, 3 and 4 are provided")
        let m = mean
        return zip(weights, components).reduce(0) { sum, term in
            let (w, c) = term
            let (d, v) = (c.mean - m, c.variance)
            switch n {
            case 2: return sum + w * (d * d + v)
            case 3: return sum + w * (d * d * d + 3 * d * v)
            default: return sum + w * (d * d * d * d + 6 * d * d * v + 3 * v * v)
            }
        }
    }

    public var variance: Double { centralMoment(2) }

    /// Skewness E[(X − μ)³]/σ³ (0 for a Gaussian).
    public var skewness: Double { centralMoment(3) / Foundation.pow(variance, 1.5) }

    /// Excess kurtosis E[(X − μ)⁴]/σ⁴ − 3 (0 for a Gaussian).
    public var excessKurtosis: Double { centralMoment(4) / (variance * variance) - 3 }

    /// One draw: a component k with probability πₖ, then μₖ + sₖε.
    public func sample(_ stream: inout RandomStream) -> Double {
        let u = stream.uniform()
        var cumulative = 0.0
        for (w, c) in zip(weights, components).dropLast() {
            cumulative += w
            if u < cumulative { return c.sample(&stream) }
        }
        return components[components.count - 1].sample(&stream)
    }
}
