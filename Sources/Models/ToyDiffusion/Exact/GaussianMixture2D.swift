import Foundation
import Stochastic

/// A mixture of isotropic Gaussians in the plane:
///
///     p(x) = Σₖ πₖ N(x; μₖ, sₖ² I),   πₖ > 0, Σₖ πₖ = 1,
///     N(x; μ, s² I) = exp(−‖x − μ‖²/(2s²)) / (2π s²).
///
/// Its score is ∇ log p(x) = Σₖ rₖ(x)(μₖ − x)/sₖ², with the responsibilities
/// rₖ(x) = πₖ N(x; μₖ, sₖ² I)/p(x). Everything is computed in log space (log-sum-exp), so
/// points far from every component still get finite values.
///
/// The family is closed under the DDPM forward marginal (see `noised(alphaBar:)`), which is
/// what makes the optimal denoiser of a mixture exact (`OptimalDenoiser`).
public struct GaussianMixture2D: Sendable, Equatable {
    /// One component πₖ N(μₖ, sₖ² I).
    public struct Component: Sendable, Equatable {
        public let weight: Double
        public let mean: Point2
        public let standardDeviation: Double
        /// log πₖ − log(2π sₖ²): log of the weight times the normalizer of N(·; μₖ, sₖ² I).
        let logScale: Double
        /// 1/sₖ².
        let precision: Double

        public init(weight: Double, mean: Point2, standardDeviation: Double) {
            self.weight = weight
            self.mean = mean
            self.standardDeviation = standardDeviation
            let variance = standardDeviation * standardDeviation
            logScale = Foundation.log(weight) - Foundation.log(2 * Double.pi * variance)
            precision = 1 / variance
        }

        public var variance: Double { standardDeviation * standardDeviation }

        /// log πₖ + log N(x; μₖ, sₖ² I) = log πₖ − log(2π sₖ²) − ‖x − μₖ‖²/(2sₖ²).
        @inline(__always)
        public func weightedLogDensity(_ x: Point2) -> Double {
            let dx = x.x - mean.x, dy = x.y - mean.y
            return logScale - 0.5 * precision * (dx * dx + dy * dy)
        }
    }

    /// The components, with weights normalized to sum to 1.
    public let components: [Component]

    /// A mixture of the given components. Weights must be positive and finite (they are
    /// divided by their sum), standard deviations positive and finite, means finite.
    public init(_ components: [Component]) throws {
        guard !components.isEmpty else { throw ToyDataError("a mixture needs at least one component") }
        for (k, c) in components.enumerated() {
            guard c.weight > 0, c.weight.isFinite else {
                throw ToyDataError("component \(k): the weight must be positive and finite (got \(c.weight))")
            }
            guard c.standardDeviation > 0, c.standardDeviation.isFinite else {
                throw ToyDataError("component \(k): the standard deviation must be positive and finite (got \(c.standardDeviation))")
            }
            guard c.mean.x.isFinite, c.mean.y.isFinite else {
                throw ToyDataError("component \(k): the mean must be finite (got (\(c.mean.x), \(c.mean.y)))")
            }
        }
        let total = components.reduce(0) { $0 + $1.weight }
        self.init(validated: components.map {
            Component(weight: $0.weight / total, mean: $0.mean, standardDeviation: $0.standardDeviation)
        })
    }

    /// Components already validated, with weights summing to 1.
    init(validated components: [Component]) { self.components = components }

    /// `count` independent draws: a component k with probability πₖ, then μₖ + sₖ ε with
    /// ε ~ N(0, I).
    public func sample(_ count: Int, stream: inout RandomStream) -> [Point2] {
        var cumulative: [Double] = []
        cumulative.reserveCapacity(components.count)
        var sum = 0.0
        for c in components {
            sum += c.weight
            cumulative.append(sum)
        }
        return (0..<count).map { _ in
            let u = stream.uniform() * sum
            let c = components[cumulative.firstIndex { u < $0 } ?? components.count - 1]
            return Point2(c.mean.x + c.standardDeviation * stream.normal(), c.mean.y + c.standardDeviation * stream.normal())
        }
    }

    /// log p(x) = log Σₖ exp(log πₖ + log N(x; μₖ, sₖ² I)), by log-sum-exp.
    public func logDensity(_ x: Point2) -> Double {
        posteriorAverage(x) { _ in Point2(0, 0) }.logDensity
    }

    /// The responsibilities rₖ(x) = P(component k | x) = πₖ N(x; μₖ, sₖ² I)/p(x), which sum to 1.
    public func responsibilities(_ x: Point2) -> [Double] {
        let logDensity = logDensity(x)
        return components.map { Foundation.exp($0.weightedLogDensity(x) - logDensity) }
    }

    /// The score ∇ₓ log p(x) = Σₖ rₖ(x)(μₖ − x)/sₖ².
    public func score(_ x: Point2) -> Point2 {
        posteriorAverage(x) { c in Point2(c.precision * (c.mean.x - x.x), c.precision * (c.mean.y - x.y)) }.average
    }

    /// Σₖ rₖ(x) fₖ and log p(x) without allocating: the log terms go to a stack buffer, and
    /// the weights exp(log termₖ − max) are ≤ 1 with at least one equal to 1 (log-sum-exp).
    @inline(__always)
    func posteriorAverage(_ x: Point2, _ f: (Component) -> Point2) -> (average: Point2, logDensity: Double) {
        components.withUnsafeBufferPointer { cs in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: cs.count) { logs in
                var top = -Double.infinity
                for k in cs.indices {
                    logs[k] = cs[k].weightedLogDensity(x)
                    top = max(top, logs[k])
                }
                guard top > -.infinity else { return (Point2(.nan, .nan), -.infinity) }
                var total = 0.0, sx = 0.0, sy = 0.0
                for k in cs.indices {
                    // exp(0) = 1 exactly: the top term (half the terms of a 2-component mixture) needs no exponential.
                    let w = logs[k] == top ? 1 : Foundation.exp(logs[k] - top), v = f(cs[k])
                    total += w
                    sx += w * v.x
                    sy += w * v.y
                }
                return (Point2(sx / total, sy / total), top + Foundation.log(total))
            }
        }
    }

    /// E[x] = Σₖ πₖ μₖ.
    public var mean: Point2 {
        components.reduce(Point2(0, 0)) { Point2($0.x + $1.weight * $1.mean.x, $0.y + $1.weight * $1.mean.y) }
    }

    /// E‖x‖² = Σₖ πₖ (‖μₖ‖² + 2sₖ²) (two coordinates, each of variance sₖ² about μₖ).
    public var meanSquaredNorm: Double {
        components.reduce(0) { $0 + $1.weight * ($1.mean.x * $1.mean.x + $1.mean.y * $1.mean.y + 2 * $1.variance) }
    }

    /// The law of xₜ = √ᾱ x₀ + √(1 − ᾱ) ε when x₀ follows this mixture and ε ~ N(0, I)
    /// (DDPM eq. 4, applied per component): each component is scaled and widened,
    ///
    ///     q(xₜ) = Σₖ πₖ N(xₜ; √ᾱ μₖ, (ᾱ sₖ² + 1 − ᾱ) I).
    ///
    /// `oneMinusAlphaBar` may be passed at full precision (`NoiseSchedule.oneMinusAlphaBar(t)`);
    /// it defaults to 1 − ᾱ by subtraction. Requires 0 ≤ ᾱ ≤ 1 (checked by the caller).
    public func noised(alphaBar: Double, oneMinusAlphaBar: Double? = nil) -> GaussianMixture2D {
        let root = alphaBar.squareRoot(), noise = oneMinusAlphaBar ?? 1 - alphaBar
        return GaussianMixture2D(validated: components.map { c in
            Component(weight: c.weight, mean: Point2(root * c.mean.x, root * c.mean.y),
                      standardDeviation: (alphaBar * c.variance + noise).squareRoot())
        })
    }
}
