import ScoreODE
import Stochastic

/// Unadjusted Langevin dynamics in the plane (Song & Ermon 2019, §2.2; Welling & Teh
/// 2011): with the score ∇ log p and a step δ,
///
///     x ← x + (δ/2) ∇ log p(x) + √δ z,   z ~ N(0, I).
///
/// As δ → 0 and the number of steps grows, the law of x tends to p; at a finite δ it is
/// biased (`Langevin.stationaryVariance`, per coordinate for a Gaussian target N(m, σ²I)).
public enum LangevinDynamics {
    /// One step from `x` with the score at x, the step δ and the noise z: `Langevin.step`
    /// on each coordinate.
    @inline(__always)
    public static func step(_ x: Point2, score: Point2, delta: Double, z: Point2) -> Point2 {
        Point2(Langevin.step(x.x, score: score.x, delta: delta, z: z.x), Langevin.step(x.y, score: score.y, delta: delta, z: z.y))
    }

    /// Runs `steps` steps of every chain started at `start`, with z drawn from `stream`.
    public static func run(
        from start: [Point2], steps: Int, delta: Double, stream: inout RandomStream, score: (Point2) -> Point2
    ) -> [Point2] {
        var points = start
        for i in points.indices {
            var x = points[i]
            for _ in 0..<steps {
                x = step(x, score: score(x), delta: delta, z: Point2(stream.normal(), stream.normal()))
            }
            points[i] = x
        }
        return points
    }
}
