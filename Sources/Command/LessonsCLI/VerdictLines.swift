import Notebook

/// `run --quiet`: one line per check (mark, cell number, id, and the claim's verdict where the
/// check judges a claim), then the lesson's totals; no prose, no tables. `firstCell` numbers
/// the first check (N for `--cell N`).
enum VerdictLines {
    static func render(_ result: LessonResult, firstCell: Int = 1) -> String {
        var lines = ["\(result.lesson): \(result.title)"]
        for (number, check) in result.checks.enumerated() {
            let verdict = check.verdict.map { " — verdict: \($0.rawValue)" } ?? ""
            let problem = check.error.map { " — error: \($0)" } ?? ""
            lines.append("\(check.pass ? "✓" : "✗") \(number + firstCell) \(check.id)\(verdict)\(problem)")
        }
        lines.append("\(result.lesson): \(result.passed) passed, \(result.failed) failed")
        return lines.joined(separator: "\n") + "\n"
    }
}
