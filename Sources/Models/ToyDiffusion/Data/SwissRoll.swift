import Foundation
import Stochastic

/// A point of the plane.
public struct Point2: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// The swiss roll: an angle u ~ U(1.5π, 4.5π), the point (u cos u, u sin u)/10, plus
/// N(0, 0.05² I) noise. Its radius runs from about 0.47 to 1.41.
public enum SwissRoll {
    public static let angles = 1.5 * Double.pi...4.5 * Double.pi
    public static let noise = 0.05

    /// `count` points drawn from `stream`.
    public static func sample(_ count: Int, stream: inout RandomStream) -> [Point2] {
        (0..<count).map { _ in
            let u = stream.uniform(in: angles)
            return Point2(u * Foundation.cos(u) / 10 + noise * stream.normal(), u * Foundation.sin(u) / 10 + noise * stream.normal())
        }
    }
}
