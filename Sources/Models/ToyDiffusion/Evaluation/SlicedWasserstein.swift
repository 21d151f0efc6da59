import Foundation
import Stochastic

/// The sliced Wasserstein-2 distance between two point sets of equal size n
/// (Rabin, Peyré, Delon & Bernot 2011; Bonneel et al. 2015):
///
///     SW₂(X, Y) = ( (1/P) Σₚ W₂²(uₚ·X, uₚ·Y) )^{1/2},
///     W₂²(uₚ·X, uₚ·Y) = (1/n) Σᵢ (uₚ·x₍ᵢ₎ − uₚ·y₍ᵢ₎)²,
///
/// where u₁…u_P are unit directions and uₚ·x₍ᵢ₎ is the i-th smallest projection: in one
/// dimension the optimal transport plan between two empirical laws of n points matches
/// them in sorted order. The population version averages over u uniform on the circle; P
/// random directions (θ ~ U[0, 2π), u = (cos θ, sin θ)) give a Monte-Carlo estimate of it.
///
/// Properties the tests use: SW₂ ≥ 0, it does not depend on the order of the points, and a
/// shift by μ gives SW₂(X, X + μ) = ((1/P) Σₚ (uₚ·μ)²)^{1/2} exactly (every sorted
/// projection moves by uₚ·μ), which tends to ‖μ‖/√2 as P → ∞ since E cos²θ = ½.
public enum SlicedWasserstein {
    /// The default number of random directions.
    public static let defaultProjections = 256

    /// `count` unit directions u = (cos θ, sin θ), θ ~ U[0, 2π) from `stream`.
    public static func directions(_ count: Int, stream: inout RandomStream) -> [Point2] {
        (0..<count).map { _ in
            let theta = stream.uniform(in: 0...(2 * Double.pi))
            return Point2(Foundation.cos(theta), Foundation.sin(theta))
        }
    }

    /// SW₂(X, Y) over the given directions (see the type's definition).
    public static func distance(_ x: [Point2], _ y: [Point2], directions: [Point2]) throws -> Double {
        try requireSizes(x, y, minimum: 1, equal: true, "the sliced Wasserstein distance")
        guard !directions.isEmpty else { throw ToyDataError("the sliced Wasserstein distance needs at least one direction") }
        let (xs, ys) = (PointColumns(x), PointColumns(y))
        var px = [Double](repeating: 0, count: x.count), py = px
        var total = 0.0
        for u in directions {
            project(xs, on: u, into: &px)
            project(ys, on: u, into: &py)
            AscendingSort.sort(&px)
            AscendingSort.sort(&py)
            total += meanSquaredDifference(px, py)
        }
        return (total / Double(directions.count)).squareRoot()
    }

    /// SW₂(X, Y) over `projections` random directions drawn from stream 0 of `seed`.
    public static func distance(_ x: [Point2], _ y: [Point2], projections: Int = defaultProjections, seed: UInt64 = 0) throws -> Double {
        guard projections >= 1 else { throw ToyDataError("the sliced Wasserstein distance needs at least one direction (got \(projections))") }
        var stream = RandomStream(seed: seed)
        return try distance(x, y, directions: directions(projections, stream: &stream))
    }

    /// uᵀxᵢ for every point.
    static func project(_ points: PointColumns, on u: Point2, into result: inout [Double]) {
        for i in result.indices { result[i] = u.x * points.x[i] + u.y * points.y[i] }
    }

    /// (1/n) Σᵢ (aᵢ − bᵢ)².
    static func meanSquaredDifference(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices {
            let d = a[i] - b[i]
            sum += d * d
        }
        return sum / Double(a.count)
    }
}
