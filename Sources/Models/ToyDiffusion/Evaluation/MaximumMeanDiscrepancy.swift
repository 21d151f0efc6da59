import Foundation
import Stochastic

/// The squared maximum mean discrepancy with a Gaussian (RBF) kernel (Gretton et al. 2012):
///
///     MMD²(X, Y) = E k(X, X′) + E k(Y, Y′) − 2 E k(X, Y),   k(a, b) = exp(−‖a − b‖²/(2h²)).
///
/// The kernel is characteristic, so MMD² = 0 only for equal laws; since 0 < k ≤ 1, MMD² ≤ 2,
/// with 2 approached by two tight clusters far apart compared with h.
///
/// Estimator: `.unbiased` (the default) is Gretton et al.'s MMD²ᵤ, with U-statistics over
/// the pairs i ≠ j for the within-sample terms; it is 0 on average for two samples of one
/// law and can be slightly negative. `.biased` (MMD²_b, the V-statistic) also counts the
/// k(xᵢ, xᵢ) = 1 terms and is larger by (1 − E k(X, X′))/n + (1 − E k(Y, Y′))/m on average.
///
/// Bandwidth: h is given, or by default set by the median heuristic (`medianHeuristic`).
/// For distances that are to be compared (a model against the noise floor), fix h once.
/// Cost: O(n²) kernel evaluations after subsampling each set to at most `subsample` points
/// (default 2000; `nil` keeps every point), as for `EnergyDistance`.
public enum MaximumMeanDiscrepancy {
    /// The default number of points kept from each set.
    public static let defaultSubsample = 2000
    /// The default number of points of each set the median heuristic looks at.
    public static let defaultHeuristicSubsample = 500

    /// MMD²(X, Y) with bandwidth h (nil: the median heuristic of the two sets), estimated
    /// from subsamples drawn with streams 1 and 2 of `seed` (the heuristic uses 3 and 4).
    public static func squared(
        _ x: [Point2], _ y: [Point2], bandwidth: Double? = nil, subsample: Int? = defaultSubsample,
        seed: UInt64 = 0, estimator: PairwiseEstimator = .unbiased
    ) throws -> Double {
        try requireSizes(x, y, minimum: 2, equal: false, "the MMD")
        if let limit = subsample, limit < 2 { throw ToyDataError("the MMD needs a subsample of at least 2 points (got \(limit))") }
        let h = try bandwidth ?? medianHeuristic(x, y, seed: seed)
        guard h > 0, h.isFinite else { throw ToyDataError("the MMD bandwidth must be positive and finite (got \(h))") }
        var (sx, sy) = (RandomStream(seed: seed, stream: 1), RandomStream(seed: seed, stream: 2))
        let a = PointColumns(randomSubset(x, limit: subsample ?? x.count, stream: &sx))
        let b = PointColumns(randomSubset(y, limit: subsample ?? y.count, stream: &sy))
        let scale = -1 / (2 * h * h)
        let kernel: (Double) -> Double = { Foundation.exp(scale * $0) }
        return a.withinMean(estimator, diagonal: 1, kernel) + b.withinMean(estimator, diagonal: 1, kernel)
            - 2 * a.crossMean(b, kernel)
    }

    /// The median heuristic: h = the median of the distances ‖zᵢ − zⱼ‖, i < j, over the
    /// pooled points z of both sets (at most `subsample` of each, drawn with streams 3 and 4
    /// of `seed`). The kernel then varies most over the distances the data actually have.
    public static func medianHeuristic(
        _ x: [Point2], _ y: [Point2], subsample: Int = defaultHeuristicSubsample, seed: UInt64 = 0,
        generator: RandomGenerator = .xoshiro
    ) throws -> Double {
        guard subsample >= 1 else { throw ToyDataError("the median heuristic needs a subsample of at least 1 point (got \(subsample))") }
        var (sx, sy) = (RandomStream(seed: seed, stream: 3, generator: generator), RandomStream(seed: seed, stream: 4, generator: generator))
        let pooled = randomSubset(x, limit: subsample, stream: &sx) + randomSubset(y, limit: subsample, stream: &sy)
        guard pooled.count >= 2 else { throw ToyDataError("the median heuristic needs at least 2 points (got \(pooled.count))") }
        var distances: [Double] = []
        distances.reserveCapacity(pooled.count * (pooled.count - 1) / 2)
        for i in pooled.indices {
            for j in (i + 1)..<pooled.count {
                let dx = pooled[i].x - pooled[j].x, dy = pooled[i].y - pooled[j].y
                distances.append((dx * dx + dy * dy).squareRoot())
            }
        }
        AscendingSort.sort(&distances)
        let m = distances.count
        return m % 2 == 1 ? distances[m / 2] : (distances[m / 2 - 1] + distances[m / 2]) / 2
    }
}
