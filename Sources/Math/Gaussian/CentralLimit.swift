import Foundation
import Stochastic

/// The central limit theorem on sums of uniforms: Sₙ = Σᵢ Uᵢ with Uᵢ ~ U(0, 1) has mean n/2
/// and variance n/12, and Zₙ = (Sₙ − n/2)/√(n/12) → N(0, 1).
public enum CentralLimit {
    /// One draw of the standardized sum Zₙ. `uniformVariance` is Var U = 1/12; the
    /// `gaussian.clt` check passes a wrong value as its mutation.
    public static func standardizedSum(_ n: Int, _ stream: inout RandomStream, uniformVariance: Double = 1.0 / 12) -> Double {
        var sum = 0.0
        for _ in 0..<n { sum += stream.uniform() }
        return (sum - Double(n) / 2) / (Double(n) * uniformVariance).squareRoot()
    }

    /// The exact CDF of Zₙ, from the Irwin–Hall law of Sₙ:
    /// P(Sₙ ≤ s) = (1/n!) Σ_{k=0}^{⌊s⌋} (−1)ᵏ C(n, k) (s − k)ⁿ, evaluated on the lower half
    /// and mirrored (P(Sₙ ≤ s) = 1 − P(Sₙ ≤ n − s)) to limit cancellation.
    public static func exactCDF(_ n: Int, _ z: Double) -> Double {
        let s = Double(n) / 2 + z * (Double(n) / 12).squareRoot()
        if s <= 0 { return 0 }
        if s >= Double(n) { return 1 }
        if s > Double(n) / 2 { return 1 - irwinHallLower(n, Double(n) - s) }
        return irwinHallLower(n, s)
    }

    static func irwinHallLower(_ n: Int, _ s: Double) -> Double {
        var total = 0.0
        var binomial = 1.0  // C(n, k)
        let logFactorial = (1...max(n, 1)).reduce(0.0) { $0 + Foundation.log(Double($1)) }
        for k in 0...Int(s.rounded(.down)) where k <= n {
            let term = binomial * Foundation.exp(Double(n) * Foundation.log(s - Double(k)) - logFactorial)
            total += k.isMultiple(of: 2) ? term : -term
            binomial = binomial * Double(n - k) / Double(k + 1)
        }
        return min(max(total, 0), 1)
    }

    /// sup_z |P(Zₙ ≤ z) − Φ(z)| on a grid of step 10⁻³ over [−6, 6]: the Kolmogorov
    /// distance of the exact law of Zₙ from N(0, 1).
    public static func distanceFromNormal(_ n: Int) -> Double {
        var worst = 0.0
        for i in -6000...6000 {
            let z = Double(i) / 1000
            worst = max(worst, abs(exactCDF(n, z) - StandardNormal.cdf(z)))
        }
        return worst
    }
}
