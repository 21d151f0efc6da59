import CheckCore
import Foundation
import Notebook

/// The columns of a check cell's table, as text: shared by the terminal, Markdown, HTML
/// and Jupyter renderings so a number reads the same everywhere.
public enum CellText {
    /// The sample size every row shares, said once in the header; nil when rows differ.
    public static func sharedCount(_ rows: [CheckRow]) -> Int? {
        let counts = Set(rows.compactMap { $0.monteCarlo?.n ?? $0.sampleCount })
        return counts.count == 1 ? counts.first : nil
    }

    /// The column headers: quantity, closed form, evidence (with the shared n), score, rule.
    public static func header(sharedCount: Int?) -> [String] {
        ["quantity", "closed form", sharedCount.map { "evidence (n=\(count($0)))" } ?? "evidence", "score", "rule"]
    }

    /// One row's cells under `header`, the rule without its verdict mark.
    public static func cells(_ row: CheckRow, showingCount: Bool) -> [String] {
        [row.quantity, row.closedForm.map(number) ?? "—", evidence(row, showingCount: showingCount), measure(row), row.tolerance]
    }

    /// What the closed form was compared with: "MC mean ± stderr", "exact v" or "KS D=…".
    public static func evidence(_ row: CheckRow, showingCount: Bool) -> String {
        if let mc = row.monteCarlo {
            let n = showingCount ? " (n=\(count(mc.n)))" : ""
            return "MC " + String(format: "%.7g", mc.mean) + " ± " + twoDigits(mc.stderr) + n
        }
        if let exact = row.exact { return "exact \(number(exact))" }
        if let d = row.statistic, let n = row.sampleCount {
            return "KS D=\(twoDigits(d))" + (showingCount ? " (n=\(count(n)))" : "")
        }
        return "—"
    }

    /// The score the rule judges: z, the relative error or the p-value.
    public static func measure(_ row: CheckRow) -> String {
        if let z = row.z { return "z=" + String(format: "%+.2f", z) }
        if let r = row.relativeError { return "rel=" + twoDigits(r) }
        if let p = row.pValue { return "p=" + twoDigits(p) }
        return ""
    }

    /// Two significant digits: enough for a standard error or a p-value.
    public static func twoDigits(_ x: Double) -> String {
        if x == 0 { return "0" }
        return shortNumber(Double(String(format: "%.2g", x)) ?? x)
    }

    /// Eight significant digits; ∞ and nan spelled out.
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "∞" : "−∞" }
        return String(format: "%.8g", x)
    }

    /// A sample count: 1000000 as "1e6", others in full.
    public static func count(_ n: Int) -> String {
        n >= 10_000 && n % 1000 == 0 ? shortNumber(Double(n)) : "\(n)"
    }
}
