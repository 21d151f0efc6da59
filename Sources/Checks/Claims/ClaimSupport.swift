import CheckCore
import Stochastic

/// A claim whose evidence is an existing module check: the same parameters, rows and
/// mutations (which that check already rejects), with the verdict on the notes' claim.
func claim(
    _ id: String, title: String, verdict: ClaimVerdict, sources: [String], evidence baseID: String, from checks: [CheckDefinition]
) -> CheckDefinition {
    guard let base = checks.first(where: { $0.id == baseID }) else {
        return CheckDefinition(
            id: id, title: title, parameters: [],
            mutations: [Mutation("missing-evidence", "the evidence check \(baseID) is not registered")],
            verdict: verdict, sources: sources
        ) { _ in throw CheckFailure("the evidence check \(baseID) is not registered") }
    }
    return CheckDefinition(
        id: id, title: title, parameters: base.parameters, mutations: base.mutations, verdict: verdict, sources: sources, run: base.run)
}

/// The (x₁, x₂) pairs the logarithm rules are tried on.
let logRulePoints: [(Double, Double)] = [(2, 3), (0.5, 4), (10, 0.1), (7.5, 1.25), (100, 20)]

/// Rows for a written logarithm rule that is false: the correct rule holds to 1e-9 at
/// every point, and the written one misses by the gap shown. `correct` returns the two sides
/// of the true identity, `written` the two sides of the notes' version.
func logRuleRows(
    correctName: String, writtenName: String, mutated: Bool,
    correct: (Double, Double) -> (Double, Double), written: (Double, Double) -> (Double, Double)
) -> [CheckRow] {
    var rows: [CheckRow] = []
    for (x1, x2) in logRulePoints {
        let point = "x₁=\(shortNumber(x1)), x₂=\(shortNumber(x2))"
        let (left, right) = mutated ? written(x1, x2) : correct(x1, x2)
        rows.append(.exact("\(correctName) at \(point)", closedForm: left, exact: right, floor: 1))
        let (wrongLeft, wrongRight) = written(x1, x2)
        let gap = abs(wrongLeft - wrongRight)
        rows.append(.holds("written \(writtenName) misses by", value: gap, rule: "> 0.01: written rule wrong", pass: gap > 0.01))
    }
    return rows
}

/// The five source notes (../shared/seeds/), for the "FILE:LINES" sources of the claims.
enum Note: String {
    case n000 = "000_0c304a6a4b3ba8de.txt"
    case n001 = "001_39d53c7fa810d895.txt"
    case n002 = "002_653f28275cd47f58.txt"
    case n003 = "003_1b3e1535dd5e719e.txt"
    case n004 = "004_134fe5e4dcc45e76.txt"

    /// "FILE:LINES", e.g. `Note.n002.at("328–334")`.
    func at(_ lines: String) -> String { rawValue + ":" + lines }
}

/// A figure the notes state rounded, against the value computed from other figures: it must
/// agree within `tolerance`, half a unit of the stated figure's last digit plus the
/// rounding the inputs carry.
func statedFigureRow(_ quantity: String, computed: Double, stated: Double, within tolerance: Double) -> CheckRow {
    let gap = abs(computed - stated)
    return .holds("\(quantity): computed \(shortNumber(computed)) vs stated \(shortNumber(stated)), gap", value: gap,
                  rule: "≤ \(shortNumber(tolerance)) (the rounding)", pass: gap <= tolerance)
}
