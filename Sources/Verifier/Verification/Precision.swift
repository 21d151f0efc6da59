/// The floating-point format someone else's code computed in, and its unit roundoff u: the
/// largest relative error of one correctly rounded operation (half the gap between 1 and the
/// next number).
public enum Precision: String, CaseIterable, Sendable, Codable {
    case float64
    case float32
    case float16
    case bfloat16

    public var unitRoundoff: Double {
        switch self {
        case .float64: return 0x1p-53
        case .float32: return 0x1p-24
        case .float16: return 0x1p-11
        case .bfloat16: return 0x1p-8
        }
    }
}

/// A precision as a type, so a whole verification is written once and evaluated in the
/// rounding-bounded numbers of the trace's dtype.
public protocol RoundingUnit: Sendable {
    static var precision: Precision { get }
}

public enum Float64Rounding: RoundingUnit { public static let precision = Precision.float64 }
public enum Float32Rounding: RoundingUnit { public static let precision = Precision.float32 }
public enum Float16Rounding: RoundingUnit { public static let precision = Precision.float16 }
public enum BFloat16Rounding: RoundingUnit { public static let precision = Precision.bfloat16 }
