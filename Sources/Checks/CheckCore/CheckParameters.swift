/// The type and accepted range of one check parameter.
public enum ParameterKind: Sendable, Equatable {
    case integer(ClosedRange<Int>)
    case real(ClosedRange<Double>)
    case integers(ClosedRange<Int>)
    case reals(ClosedRange<Double>)
    case choice([String])

    /// What is accepted, in words, for error messages.
    public var accepted: String {
        switch self {
        case .integer(let r): return "an integer in \(r.lowerBound)…\(r.upperBound)"
        case .real(let r): return "a number in [\(shortNumber(r.lowerBound)), \(shortNumber(r.upperBound))]"
        case .integers(let r): return "a list of integers in \(r.lowerBound)…\(r.upperBound), e.g. [1, 2]"
        case .reals(let r): return "a list of numbers in [\(shortNumber(r.lowerBound)), \(shortNumber(r.upperBound))], e.g. [0.5, 2]"
        case .choice(let names): return "one of \(names.joined(separator: ", "))"
        }
    }
}

/// A parameter value after validation.
public enum ParameterValue: Sendable, Equatable, Codable {
    case integer(Int)
    case real(Double)
    case integers([Int])
    case reals([Double])
    case text(String)
}

/// A named parameter a check accepts, its kind and its default.
public struct ParameterSpec: Sendable {
    public let name: String
    public let kind: ParameterKind
    public let defaultValue: ParameterValue
    public let help: String

    public init(_ name: String, _ kind: ParameterKind, default defaultValue: ParameterValue, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }

    /// The Monte-Carlo sample count every sampling check accepts (and `--samples` overrides).
    public static func samples(default n: Int) -> ParameterSpec {
        ParameterSpec("samples", .integer(500...100_000_000), default: .integer(n), help: "Monte-Carlo sample size")
    }
}

/// A check's validated parameters: every spec'd name has a value (given or default).
public struct CheckParameters: Sendable, Equatable {
    public private(set) var values: [String: ParameterValue]

    public init(values: [String: ParameterValue]) { self.values = values }

    public func integer(_ name: String) -> Int {
        if case .integer(let v) = values[name] { return v }
        return 0
    }

    public func real(_ name: String) -> Double {
        switch values[name] {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: return .nan
        }
    }

    public func integers(_ name: String) -> [Int] {
        if case .integers(let v) = values[name] { return v }
        return []
    }

    public func reals(_ name: String) -> [Double] {
        switch values[name] {
        case .reals(let v): return v
        case .integers(let v): return v.map(Double.init)
        default: return []
        }
    }

    public func text(_ name: String) -> String {
        if case .text(let v) = values[name] { return v }
        return ""
    }

    /// Replaces a value (used by `--samples`).
    public mutating func set(_ name: String, _ value: ParameterValue) { values[name] = value }
}
