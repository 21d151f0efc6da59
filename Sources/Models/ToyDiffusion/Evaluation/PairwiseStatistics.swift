import Stochastic

/// How a two-sample statistic averages a function over pairs of points of the same sample.
///
/// For a kernel g and a sample a₁…aₙ, the within-sample mean E g(a, a′) is estimated by
/// - `.unbiased`, the U-statistic (1/(n(n−1))) Σ_{i≠j} g(aᵢ, aⱼ), whose expectation is
///   E g(a, a′) exactly for i.i.d. points (Hoeffding 1948);
/// - `.biased`, the V-statistic (1/n²) Σ_{i,j} g(aᵢ, aⱼ), which also counts the n diagonal
///   terms g(aᵢ, aᵢ) and so is off by (g(a, a) − E g(a, a′))/n on average.
/// Cross-sample means (1/(nm)) Σ_{i,j} g(aᵢ, bⱼ) have no diagonal and are unbiased either way.
public enum PairwiseEstimator: String, Sendable, CaseIterable {
    case unbiased
    case biased
}

/// Points stored as two coordinate columns, so that the O(n²) pair loops read contiguous
/// memory and vectorize.
struct PointColumns {
    let x: [Double]
    let y: [Double]

    init(_ points: [Point2]) {
        x = points.map(\.x)
        y = points.map(\.y)
    }

    var count: Int { x.count }

    /// The within-sample mean of g(‖aᵢ − aⱼ‖²), estimated as `estimator` says; `diagonal`
    /// is g(0), the value of each i = j term. Needs n ≥ 2.
    @inline(__always)
    func withinMean(_ estimator: PairwiseEstimator, diagonal: Double, _ g: (Double) -> Double) -> Double {
        let n = count
        var sum = 0.0
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                for i in 0..<n {
                    let (xi, yi) = (xs[i], ys[i])
                    var row = 0.0
                    for j in (i + 1)..<n {
                        let dx = xi - xs[j], dy = yi - ys[j]
                        row += g(dx * dx + dy * dy)
                    }
                    sum += row
                }
            }
        }
        let pairs = 2 * sum  // Σ over ordered pairs i ≠ j
        let size = Double(n)
        switch estimator {
        case .unbiased: return pairs / (size * (size - 1))
        case .biased: return (pairs + size * diagonal) / (size * size)
        }
    }

    /// The cross-sample mean (1/(nm)) Σᵢⱼ g(‖aᵢ − bⱼ‖²).
    @inline(__always)
    func crossMean(_ other: PointColumns, _ g: (Double) -> Double) -> Double {
        var sum = 0.0
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                other.x.withUnsafeBufferPointer { ox in
                    other.y.withUnsafeBufferPointer { oy in
                        for i in 0..<xs.count {
                            let (xi, yi) = (xs[i], ys[i])
                            var row = 0.0
                            for j in 0..<ox.count {
                                let dx = xi - ox[j], dy = yi - oy[j]
                                row += g(dx * dx + dy * dy)
                            }
                            sum += row
                        }
                    }
                }
            }
        }
        return sum / (Double(count) * Double(other.count))
    }
}

/// The points with their first `k` positions filled by a uniformly random choice without
/// replacement (the first k steps of a Fisher–Yates shuffle drawn from `stream`); k = count
/// shuffles the whole array.
package func shuffled(_ points: [Point2], first k: Int, stream: inout RandomStream) -> [Point2] {
    var copy = points
    for i in 0..<min(k, copy.count) {
        let j = i + stream.index(below: copy.count - i)
        copy.swapAt(i, j)
    }
    return copy
}

/// At most `limit` of the points, chosen uniformly without replacement; all of them, in
/// their order, when there are no more than `limit`.
func randomSubset(_ points: [Point2], limit: Int, stream: inout RandomStream) -> [Point2] {
    guard points.count > limit else { return points }
    return Array(shuffled(points, first: limit, stream: &stream).prefix(limit))
}

/// The two point sets must each have at least `minimum` points.
func requireSizes(_ x: [Point2], _ y: [Point2], minimum: Int, equal: Bool, _ what: String) throws {
    guard x.count >= minimum, y.count >= minimum else {
        throw ToyDataError("\(what) needs at least \(minimum) points in each set (got \(x.count) and \(y.count))")
    }
    if equal, x.count != y.count {
        throw ToyDataError("\(what) compares sets of equal size (got \(x.count) and \(y.count))")
    }
}
