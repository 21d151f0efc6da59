import Foundation
import Stochastic

/// Two interleaving half circles ("two moons"). An angle θ ~ U(0, π) and a fair coin pick
/// a point on the upper moon (cos θ − ½, sin θ − ¼) or on the lower one, its mirror image
/// through the origin (½ − cos θ, ¼ − sin θ); the point is scaled by `scale` and gets
/// N(0, `noise`² I) noise. (The lower moon is the classic (1 − cos θ, ½ − sin θ) moved by
/// the same (−½, −¼) that centers the pair, so the data have mean exactly 0.)
///
/// With scale 0.9 the data span about ±1.35 horizontally and ±0.7 vertically, the scale of
/// the swiss roll. Without noise, E‖x‖² = scale²·(21/16 − 1/π), since
/// ‖(cos θ − ½, sin θ − ¼)‖² = 21/16 − cos θ − ½ sin θ and E sin θ = 2/π, E cos θ = 0.
public enum TwoMoons {
    public static let scale = 0.9
    public static let noise = 0.05

    /// `count` points drawn from `stream`.
    public static func sample(_ count: Int, stream: inout RandomStream) -> [Point2] {
        (0..<count).map { _ in
            let theta = stream.uniform(in: 0...Double.pi)
            let sign = stream.uniform() < 0.5 ? 1.0 : -1.0
            return Point2(scale * sign * (Foundation.cos(theta) - 0.5) + noise * stream.normal(),
                          scale * sign * (Foundation.sin(theta) - 0.25) + noise * stream.normal())
        }
    }
}
