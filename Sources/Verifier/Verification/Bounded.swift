import Foundation
import ForwardProcess

/// A number computed in Double together with a first-order bound on the rounding error the
/// same computation makes in precision `P` (Wilkinson's running error analysis): each
/// operation adds u·|its result| and carries its operands' bounds through its derivative,
/// |Δ(a∘b)| ≤ |∂∘/∂a|·Δa + |∂∘/∂b|·Δb + u·|a∘b|.
///
/// The bound covers any evaluation of the same formula in `P` up to second-order terms, so
/// `lessons verify` can tell rounding (inside the bound) from a different formula (outside).
/// A parameter converted with `init(_:)` is rounded to `P` once; a recorded input, which is
/// exactly what the code used, enters with `exact(_:)`.
public struct Bounded<P: RoundingUnit>: ScheduleScalar, CustomStringConvertible {
    public let value: Double
    /// The bound on |value in P − value| (absolute).
    public let error: Double

    public static var u: Double { P.precision.unitRoundoff }

    init(value: Double, error: Double) {
        self.value = value
        self.error = error
    }

    /// A parameter as stored in `P`: one rounding.
    public init(_ value: Double) { self.init(value: value, error: Self.u * Swift.abs(value)) }

    /// A value the code under test used exactly as recorded.
    public static func exact(_ value: Double) -> Bounded { Bounded(value: value, error: 0) }

    public var doubleValue: Double { value }
    public var description: String { "\(value) ± \(error)" }

    static func rounded(_ value: Double, carried: Double) -> Bounded {
        Bounded(value: value, error: carried + u * Swift.abs(value))
    }

    public static func + (a: Bounded, b: Bounded) -> Bounded { rounded(a.value + b.value, carried: a.error + b.error) }
    public static func - (a: Bounded, b: Bounded) -> Bounded { rounded(a.value - b.value, carried: a.error + b.error) }
    public static func * (a: Bounded, b: Bounded) -> Bounded {
        rounded(a.value * b.value, carried: Swift.abs(a.value) * b.error + Swift.abs(b.value) * a.error)
    }
    public static func / (a: Bounded, b: Bounded) -> Bounded {
        let q = a.value / b.value
        return rounded(q, carried: (a.error + Swift.abs(q) * b.error) / Swift.abs(b.value))
    }
    public static prefix func - (a: Bounded) -> Bounded { Bounded(value: -a.value, error: a.error) }

    /// √a; at a = 0 the derivative is infinite, and √Δa bounds the change instead.
    public func squareRoot() -> Bounded {
        let root = value.squareRoot()
        return Self.rounded(root, carried: root > 0 ? error / (2 * root) : error.squareRoot())
    }
    public static func sin(_ x: Bounded) -> Bounded { rounded(Foundation.sin(x.value), carried: Swift.abs(Foundation.cos(x.value)) * x.error) }
    public static func cos(_ x: Bounded) -> Bounded { rounded(Foundation.cos(x.value), carried: Swift.abs(Foundation.sin(x.value)) * x.error) }
    public static func exp(_ x: Bounded) -> Bounded {
        let e = Foundation.exp(x.value)
        return rounded(e, carried: e * x.error)
    }
    public static func log(_ x: Bounded) -> Bounded { rounded(Foundation.log(x.value), carried: x.error / Swift.abs(x.value)) }
    public static func log1p(_ x: Bounded) -> Bounded { rounded(Foundation.log1p(x.value), carried: x.error / Swift.abs(1 + x.value)) }
    public static func expm1(_ x: Bounded) -> Bounded { rounded(Foundation.expm1(x.value), carried: Foundation.exp(x.value) * x.error) }
    /// min(a, b): when the bounds cannot overlap the choice is certain and carries only the
    /// chosen operand's error (a clipped β is exact); otherwise either may be chosen.
    public static func power(_ x: Bounded, _ p: Double) -> Bounded {
        let y = Foundation.pow(x.value, p)
        return rounded(y, carried: Swift.abs(p * y / x.value) * x.error)
    }
    public static func minimum(_ a: Bounded, _ b: Bounded) -> Bounded {
        if a.value + a.error < b.value - b.error { return a }
        if b.value + b.error < a.value - a.error { return b }
        return Bounded(value: Swift.min(a.value, b.value), error: Swift.max(a.error, b.error))
    }
    public static func maximum(_ a: Bounded, _ b: Bounded) -> Bounded {
        -minimum(-a, -b)
    }
    public var magnitude: Bounded { Bounded(value: Swift.abs(value), error: error) }

    /// How far a stored result in `P` may honestly be from `value`: twice the running bound
    /// (another evaluation order of the same formula) plus the rounding of the result itself.
    public var tolerance: Double { 2 * error + Self.u * Swift.abs(value) }

    /// A value the reference cannot know (a step's noise the trace did not record): no
    /// recorded number equals it.
    public static var unknown: Bounded { Bounded(value: .nan, error: .infinity) }

    /// Whether `got` is this value up to rounding in `P`. Two non-finite values of the same
    /// kind agree (NaN with NaN, +∞ with +∞): a variant that predicts NaN explains a NaN.
    public func admits(_ got: Double) -> Bool {
        if value.isNaN, error == .infinity { return false }
        if !value.isFinite || !got.isFinite {
            return (value.isNaN && got.isNaN) || value == got
        }
        return Swift.abs(got - value) <= tolerance
    }
}
