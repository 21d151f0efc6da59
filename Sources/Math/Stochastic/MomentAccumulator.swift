/// Streaming central moments up to the fourth (Welford 1962, extended by Terriberry
/// 2008), numerically stable for any number of samples.
public struct MomentAccumulator: Sendable {
    public private(set) var count = 0
    public private(set) var mean = 0.0
    var m2 = 0.0, m3 = 0.0, m4 = 0.0

    public init() {}

    /// Inlinable so that the loop is specialized for the caller's sequence (an array's
    /// elements read directly rather than through a generic iterator).
    @inlinable
    public init<S: Sequence>(_ values: S) where S.Element == Double {
        self.init()
        for value in values { add(value) }
    }

    public mutating func add(_ x: Double) {
        let n1 = Double(count)
        count += 1
        let n = Double(count)
        let delta = x - mean
        let deltaN = delta / n
        let deltaN2 = deltaN * deltaN
        let term1 = delta * deltaN * n1
        mean += deltaN
        m4 += term1 * deltaN2 * (n * n - 3 * n + 3) + 6 * deltaN2 * m2 - 4 * deltaN * m3
        m3 += term1 * deltaN * (n - 2) - 3 * deltaN * m2
        m2 += term1
    }

    /// The sample mean with its standard error s/√n.
    public var meanEstimate: MeanEstimate {
        let variance = count > 1 ? m2 / Double(count - 1) : .nan
        return MeanEstimate(mean: mean, standardError: (variance / Double(count)).squareRoot(), count: count)
    }

    /// The unbiased sample variance s² with its standard error from the fourth central
    /// moment: Var(s²) = μ₄/n − σ⁴(n−3)/(n(n−1)), estimated with the sample μ₄ and s².
    /// For normal data this is ≈ σ²√(2/n); heavy tails make it larger, as they should.
    public var varianceEstimate: MeanEstimate {
        let n = Double(count)
        guard count > 3 else { return MeanEstimate(mean: .nan, standardError: .nan, count: count) }
        let s2 = m2 / (n - 1)
        let mu4 = m4 / n
        let varianceOfS2 = mu4 / n - s2 * s2 * (n - 3) / (n * (n - 1))
        return MeanEstimate(mean: s2, standardError: max(varianceOfS2, 0).squareRoot(), count: count)
    }
}
