import Foundation

/// The one-sample Kolmogorov–Smirnov test of samples against a closed-form CDF.
public struct KolmogorovSmirnov: Sendable, Equatable, Codable {
    /// D = sup_x |Fₙ(x) − F(x)|.
    public let statistic: Double
    public let count: Int
    /// P(D ≥ observed) under the hypothesis, from Kolmogorov's limiting distribution with
    /// Stephens' (1970) finite-n correction λ = (√n + 0.12 + 0.11/√n)·D, accurate to a few
    /// percent for n ≥ 35.
    public let pValue: Double

    /// Runs the test on the samples in increasing order (`AscendingSort`, a radix sort: the
    /// sort is most of a row's time at a check's 10⁵–10⁶ samples; docs/performance.md).
    public init(samples: [Double], cdf: (Double) -> Double) {
        let sorted = AscendingSort.sorted(samples)
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = max(d, Double(i + 1) / n - f, f - Double(i) / n)
        }
        statistic = d
        count = sorted.count
        let root = n.squareRoot()
        pValue = Self.kolmogorovSurvival((root + 0.12 + 0.11 / root) * d)
    }

    /// Q(λ) = 2 Σₖ₌₁^∞ (−1)^{k−1} exp(−2k²λ²), the survival function of Kolmogorov's
    /// distribution; Q → 1 as λ → 0.
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda < 0.2 { return 1 }  // the series does not converge fast here; Q(0.2) = 1 − 4e-20
        var sum = 0.0
        var sign = 1.0
        for k in 1...100 {
            let term = sign * Foundation.exp(-2 * Double(k * k) * lambda * lambda)
            sum += term
            if abs(term) < 1e-17 * abs(sum) { break }
            sign = -sign
        }
        return min(max(2 * sum, 0), 1)
    }
}
