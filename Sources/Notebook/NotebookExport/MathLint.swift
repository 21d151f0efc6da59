import Foundation

/// The formulas of a lesson file that the terminal's Unicode rendering (`LaTeXUnicode`) cannot
/// show faithfully — an unknown command, an environment such as `pmatrix`, an unbalanced
/// brace — each with its line, so a writer hears of it instead of reading "1/" for
/// `\frac{1}{`. (The HTML page renders with KaTeX, which reads far more; the terminal and
/// the page's text without KaTeX read what `LaTeXUnicode` gives.)
public enum MathLint {
    /// "FILE:LINE: warning: PROBLEM in $…$" for each problem, in file order. Front matter and
    /// fenced blocks (code, check and plot cells) are skipped; a `$$` formula over several
    /// lines is reported at its first line.
    public static func warnings(_ text: String, file: String) -> [String] {
        var warnings: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        if lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") { index = end + 1 }
        func report(_ latex: String, line: Int, display: Bool) {
            let shown = display ? "$$\(latex)$$" : "$\(latex)$"
            let excerpt = shown.count > 60 ? String(shown.prefix(57)) + "…" : shown
            for problem in LaTeXUnicode.problems(latex) {
                warnings.append("\(file):\(line): warning: \(problem) in \(excerpt)")
            }
        }
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                let close = lines[(index + 1)...].firstIndex { $0.trimmingCharacters(in: .whitespaces) == "```" }
                index = (close ?? lines.count - 1) + 1
                continue
            }
            if trimmed.hasPrefix("$$"), trimmed.components(separatedBy: "$$").count == 2 {
                // A display formula opened here and closed on a later line.
                var body = [String(trimmed.dropFirst(2))]
                var last = index + 1
                while last < lines.count, !lines[last].contains("$$") {
                    body.append(lines[last])
                    last += 1
                }
                if last < lines.count { body.append(lines[last].components(separatedBy: "$$")[0]) }
                report(body.joined(separator: " "), line: index + 1, display: true)
                index = last + 1
                continue
            }
            for case .math(let latex, let display) in LaTeXUnicode.proseSegments(lines[index]) {
                report(latex, line: index + 1, display: display)
            }
            index += 1
        }
        return warnings
    }
}
