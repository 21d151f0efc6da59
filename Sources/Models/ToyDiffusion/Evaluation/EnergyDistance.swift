import Foundation
import Stochastic

/// The energy distance between two point sets (Székely & Rizzo 2013):
///
///     E(X, Y) = 2 E‖X − Y‖ − E‖X − X′‖ − E‖Y − Y′‖,
///
/// with X, X′ independent draws of one law and Y, Y′ of the other. It is ≥ 0, and 0 only
/// when the two laws are equal (it is the square of a metric on laws with finite mean).
///
/// Estimator: the cross term is the mean over all n·m pairs; the within-sample terms are
/// U-statistics over the n(n−1) pairs i ≠ j (`.unbiased`, the default), so the estimate is
/// unbiased and is 0 on average for two samples of one law, and can then be slightly
/// negative. `.biased` (the V-statistic) divides by n² instead, which shifts it up by
/// E‖X − X′‖/n + E‖Y − Y′‖/m on average.
///
/// Cost: O(n²) distances. Each set is first reduced to at most `subsample` points chosen at
/// random without replacement (default 2000: about 6·10⁶ distances, a few milliseconds);
/// pass `nil` to use every point (10 000 points each take about 1.5·10⁸ distances).
public enum EnergyDistance {
    /// The default number of points kept from each set.
    public static let defaultSubsample = 2000

    /// E(X, Y) estimated from the two sets (subsampled with streams 1 and 2 of `seed`).
    public static func estimate(
        _ x: [Point2], _ y: [Point2], subsample: Int? = defaultSubsample, seed: UInt64 = 0,
        estimator: PairwiseEstimator = .unbiased
    ) throws -> Double {
        try requireSizes(x, y, minimum: 2, equal: false, "the energy distance")
        if let limit = subsample, limit < 2 { throw ToyDataError("the energy distance needs a subsample of at least 2 points (got \(limit))") }
        var (sx, sy) = (RandomStream(seed: seed, stream: 1), RandomStream(seed: seed, stream: 2))
        let a = PointColumns(randomSubset(x, limit: subsample ?? x.count, stream: &sx))
        let b = PointColumns(randomSubset(y, limit: subsample ?? y.count, stream: &sy))
        let distance: (Double) -> Double = { $0.squareRoot() }
        return 2 * a.crossMean(b, distance)
            - a.withinMean(estimator, diagonal: 0, distance)
            - b.withinMean(estimator, diagonal: 0, distance)
    }
}
