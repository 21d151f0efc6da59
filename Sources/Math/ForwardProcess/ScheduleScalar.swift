import Foundation

/// The arithmetic the schedule and step formulas are written in, once for every number type
/// that evaluates them: `Double` for the lessons, and the verifier's rounding-bounded numbers,
/// which carry the error the same formula makes in someone else's Float32 code (`lessons
/// verify`). Only what the formulas use.
public protocol ScheduleScalar: Sendable {
    /// A constant or a parameter (for a rounding-bounded number: as stored in its precision).
    init(_ value: Double)
    var doubleValue: Double { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    func squareRoot() -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    /// xᵖ for x > 0.
    static func power(_ x: Self, _ p: Double) -> Self
    /// The smaller and the larger of the two values (exact: no rounding).
    static func minimum(_ a: Self, _ b: Self) -> Self
    static func maximum(_ a: Self, _ b: Self) -> Self
}

extension Double: ScheduleScalar {
    public var doubleValue: Double { self }
    public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    public static func power(_ x: Double, _ p: Double) -> Double { Foundation.pow(x, p) }
    public static func minimum(_ a: Double, _ b: Double) -> Double { Swift.min(a, b) }
    public static func maximum(_ a: Double, _ b: Double) -> Double { Swift.max(a, b) }
}
