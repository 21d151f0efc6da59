import Foundation

/// The verification rules every row is judged by (../shared/DESIGN.md).
public enum Verdict {
    /// Monte-Carlo rows pass when |z| ≤ 5: a correct formula fails with probability
    /// 2Φ(−5) ≈ 5.7·10⁻⁷ per row.
    public static let zBound = 5.0
    /// The same false-alarm probability, as a p-value bound for distribution tests.
    public static let pValueBound = 5.733e-7
    /// Exact/quadrature rows pass within this relative difference unless a row says otherwise.
    public static let relativeTolerance = 1e-9
}

/// A Monte-Carlo estimate as shown in a row: mean ± stderr over n samples.
public struct MonteCarloColumn: Sendable, Codable, Equatable {
    public let mean: Double
    public let stderr: Double
    public let n: Int

    public init(mean: Double, stderr: Double, n: Int) {
        self.mean = mean
        self.stderr = stderr
        self.n = n
    }
}

/// One line of evidence: a quantity, the closed form under test, and what it was compared
/// with (a Monte-Carlo estimate, an exact/quadrature value, or a distribution test).
public struct CheckRow: Sendable, Codable, Equatable {
    public let quantity: String
    public let closedForm: Double?
    public let monteCarlo: MonteCarloColumn?
    public let exact: Double?
    public let z: Double?
    public let relativeError: Double?
    /// A distribution test's statistic (Kolmogorov–Smirnov D), sample count and p-value,
    /// when the row is one.
    public let statistic: Double?
    public let sampleCount: Int?
    public let pValue: Double?
    /// The rule the row was judged by, in words: "|z| ≤ 5", "rel ≤ 1e-9", "p ≥ 5.7e-7".
    public let tolerance: String
    /// For Monte-Carlo rows: the relative error of the closed form that would give
    /// |z| = 10 (10·stderr/|value|), i.e. what the sample size can resolve.
    public let resolution: Double?
    public let pass: Bool

    /// Closed form against a Monte-Carlo estimate: pass when |z| ≤ 5.
    public static func monteCarlo(
        _ quantity: String, closedForm: Double, mean: Double, stderr: Double, n: Int
    ) -> CheckRow {
        let difference = mean - closedForm
        let z = stderr > 0 ? difference / stderr : (difference == 0 ? 0 : .infinity)
        let scale = abs(closedForm) > 0 ? abs(closedForm) : abs(mean)
        return CheckRow(
            quantity: quantity, closedForm: closedForm,
            monteCarlo: MonteCarloColumn(mean: mean, stderr: stderr, n: n),
            exact: nil, z: z, relativeError: nil, statistic: nil, sampleCount: nil, pValue: nil,
            tolerance: "|z| ≤ 5", resolution: scale > 0 ? 10 * stderr / scale : nil,
            pass: abs(z) <= Verdict.zBound)
    }

    /// Closed form against an exact value (quadrature or a second derivation): pass when
    /// |closed − exact| ≤ tol·max(|exact|, floor). `floor` keeps values that should be 0
    /// comparable on an absolute scale.
    public static func exact(
        _ quantity: String, closedForm: Double, exact: Double,
        relativeTolerance: Double = Verdict.relativeTolerance, floor: Double = 0
    ) -> CheckRow {
        let scale = max(abs(exact), floor)
        let difference = abs(closedForm - exact)
        let relative = scale > 0 ? difference / scale : difference
        return CheckRow(
            quantity: quantity, closedForm: closedForm, monteCarlo: nil, exact: exact,
            z: nil, relativeError: relative, statistic: nil, sampleCount: nil, pValue: nil,
            tolerance: "rel ≤ \(shortNumber(relativeTolerance))", resolution: nil,
            pass: relative <= relativeTolerance && closedForm.isFinite == exact.isFinite)
    }

    /// A whole distribution against its closed-form CDF (Kolmogorov–Smirnov):
    /// pass when p ≥ 5.7·10⁻⁷, the same false-alarm rate as |z| ≤ 5.
    public static func distribution(
        _ quantity: String, statistic: Double, pValue: Double, n: Int
    ) -> CheckRow {
        CheckRow(
            quantity: quantity, closedForm: nil, monteCarlo: nil, exact: nil, z: nil,
            relativeError: nil, statistic: statistic, sampleCount: n, pValue: pValue,
            tolerance: "p ≥ 5.7e-7", resolution: nil, pass: pValue >= Verdict.pValueBound)
    }

    /// A statement that must hold (an inequality, an ordering), with the value that shows it.
    public static func holds(_ quantity: String, value: Double, rule: String, pass: Bool) -> CheckRow {
        CheckRow(
            quantity: quantity, closedForm: value, monteCarlo: nil, exact: nil, z: nil,
            relativeError: nil, statistic: nil, sampleCount: nil, pValue: nil, tolerance: rule, resolution: nil, pass: pass)
    }
}

/// A compact number for tolerances and tables: 1e-09 → "1e-9".
public func shortNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "∞" : "−∞" }
    if x == 0 { return "0" }
    let magnitude = abs(x)
    if magnitude >= 1e-3 && magnitude < 1e6 {
        var text = String(format6: x)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
    let exponent = Int((Foundation.log10(magnitude)).rounded(.down))
    let mantissa = x / Foundation.pow(10, Double(exponent))
    var m = String(format3: mantissa)
    while m.contains(".") && m.hasSuffix("0") { m.removeLast() }
    if m.hasSuffix(".") { m.removeLast() }
    return "\(m)e\(exponent)"
}

extension String {
    init(format6 x: Double) { self = String(format: "%.6g", x) }
    init(format3 x: Double) { self = String(format: "%.3f", x) }
}

extension CheckRow {
    enum CodingKeys: String, CodingKey {
        case quantity, closedForm, monteCarlo, exact, z, relativeError, statistic, sampleCount, pValue
        case tolerance, resolution, pass
    }

    /// Every column is written, as null where it does not apply.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(quantity, forKey: .quantity)
        try c.encode(closedForm, forKey: .closedForm)
        try c.encode(monteCarlo, forKey: .monteCarlo)
        try c.encode(exact, forKey: .exact)
        try c.encode(z, forKey: .z)
        try c.encode(relativeError, forKey: .relativeError)
        try c.encode(statistic, forKey: .statistic)
        try c.encode(sampleCount, forKey: .sampleCount)
        try c.encode(pValue, forKey: .pValue)
        try c.encode(tolerance, forKey: .tolerance)
        try c.encode(resolution, forKey: .resolution)
        try c.encode(pass, forKey: .pass)
    }
}
