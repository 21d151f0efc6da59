import Foundation

/// Renders an executed lesson for a terminal: prose wrapped to the width with LaTeX turned
/// into Unicode, each check cell as an aligned table with verdict marks, and a closing
/// `N passed, M failed` line.
public struct TerminalRenderer: Sendable {
    public let width: Int
    public let color: Bool

    public init(width: Int = 88, color: Bool = false) {
        self.width = max(40, width)
        self.color = color
    }

    /// The whole lesson: prose and the results of its cells, in reading order. `charts`
    /// holds the text drawing of each plot cell's figure, by name.
    public func render(_ lesson: Lesson, _ result: LessonResult, charts: [String: String] = [:]) -> String {
        var out = ""
        var cellResults = result.checks.makeIterator()
        for block in lesson.blocks {
            switch block {
            case .prose(let markdown):
                out += renderProse(markdown)
            case .check(let cell):
                guard let cellResult = cellResults.next() else { continue }
                out += renderCell(cellResult, cell: cell)
            case .plot(let plot):
                out += "  " + paint("figure \(plot.name)", .bold) + "\n"
                out += (charts[plot.name] ?? "    (no text drawing of this figure)\n") + "\n"
            }
        }
        out += "\n" + summaryLine(result) + "\n"
        return out
    }

    public func summaryLine(_ result: LessonResult) -> String {
        let text = "\(result.lesson): \(result.passed) passed, \(result.failed) failed"
        return paint(text, result.failed == 0 ? .green : .red)
    }

    // MARK: prose

    func renderProse(_ markdown: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var listOpen = false  // a list ends at the next blank line, which then prints
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        func flush() {
            guard !paragraph.isEmpty else { return }
            out += wrapParagraph(paragraph)
            paragraph = []
        }
        while let line = lines.popFirst() {
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty {
                flush()
                if listOpen {
                    out += "\n"
                    listOpen = false
                }
            } else if trimmed.hasPrefix("#") {
                flush()
                let text = LaTeXUnicode.renderProse(String(trimmed.drop(while: { $0 == "#" })).trimmingSpaces)
                let level = trimmed.prefix(while: { $0 == "#" }).count
                out += "\n" + paint(level <= 1 ? text.uppercased() : text, .bold) + "\n"
                if level <= 2 { out += String(repeating: level == 1 ? "═" : "─", count: min(width, text.count)) + "\n" }
                out += "\n"
            } else if trimmed.hasPrefix("$$") {
                flush()
                var math = String(trimmed.dropFirst(2))
                while !math.hasSuffix("$$"), let next = lines.popFirst() { math += " " + next.trimmingSpaces }
                if math.hasSuffix("$$") { math.removeLast(2) }
                out += "    " + LaTeXUnicode.render(math.trimmingSpaces) + "\n\n"
            } else if trimmed.hasPrefix("```") {
                flush()
                while let next = lines.popFirst(), next.trimmingSpaces != "```" { out += "    " + next + "\n" }
                out += "\n"
            } else if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") || trimmed.first?.isNumber == true && trimmed.contains(". ") && isListNumber(trimmed) {
                flush()
                paragraph = [trimmed]
                while let next = lines.first, !next.trimmingSpaces.isEmpty, next.hasPrefix("  ") {
                    paragraph.append(next.trimmingSpaces)
                    lines.removeFirst()
                }
                out += wrapListItem(paragraph)
                paragraph = []
                listOpen = true
            } else {
                paragraph.append(trimmed)
            }
        }
        flush()
        return listOpen ? out + "\n" : out
    }

    func isListNumber(_ line: String) -> Bool {
        let digits = line.prefix(while: \.isNumber)
        return !digits.isEmpty && line.dropFirst(digits.count).hasPrefix(". ")
    }

    func inline(_ text: String) -> String {
        var s = LaTeXUnicode.renderProse(text)
        s = s.replacingOccurrences(of: "**", with: "")
        return s
    }

    func wrapParagraph(_ lines: [String]) -> String {
        wrap(inline(lines.joined(separator: " ")), indent: "", hanging: "") + "\n"
    }

    func wrapListItem(_ lines: [String]) -> String {
        let first = lines[0]
        let marker: String
        let body: String
        if first.hasPrefix("- ") || first.hasPrefix("* ") {
            marker = "  • "
            body = String(first.dropFirst(2))
        } else {
            let digits = first.prefix(while: \.isNumber)
            marker = "  \(digits). "
            body = String(first.dropFirst(digits.count + 2))
        }
        let text = inline(([body] + lines.dropFirst()).joined(separator: " "))
        return wrap(text, indent: marker, hanging: String(repeating: " ", count: marker.count))
    }

    /// Greedy word wrap to `width` columns (counted in Characters).
    func wrap(_ text: String, indent: String, hanging: String) -> String {
        var out = ""
        var line = indent
        var lineHasWord = false
        for word in text.split(separator: " ") {
            if lineHasWord && line.count + 1 + word.count > width {
                out += line + "\n"
                line = hanging
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        if lineHasWord { out += line + "\n" }
        return out
    }

    // MARK: cells

    func renderCell(_ result: CellResult, cell: CheckCell) -> String {
        let mark = result.pass ? paint("✓", .green) : paint("✗", .red)
        let claim = result.verdict.map { " — verdict: " + paint($0.rawValue, .bold) } ?? ""
        var out = wrap("\(mark) \(paint("check \(result.id)", .bold)) — \(result.title)\(claim)", indent: "  ", hanging: "      ")
        if let error = result.error {
            return out + "    " + paint("error: \(error)", .red) + "\n\n"
        }
        // A sample size shared by every row is said once, in the header.
        let counts = Set(result.rows.compactMap { $0.monteCarlo?.n ?? $0.sampleCount })
        let sharedCount = counts.count == 1 ? counts.first : nil
        let header = ["quantity", "closed form", sharedCount.map { "evidence (n=\(Self.count($0)))" } ?? "evidence", "score", "rule"]
        let rows = result.rows.map { row in
            [row.quantity, row.closedForm.map(Self.number) ?? "—", evidence(row, showingCount: sharedCount == nil), measure(row),
             row.tolerance + " " + (row.pass ? "✓" : "✗")]
        }
        var widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        // The quantity column takes what the others leave; a longer quantity gets a line of its own.
        let others = widths.dropFirst().reduce(0, +) + 2 * (widths.count - 1)
        widths[0] = min(widths[0], max(12, width - 4 - others))
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                column == 0 ? cells[0].padding(toLength: widths[0]) : cells[column].leftPadding(toLength: widths[column])
            }.joined(separator: "  ")
        }
        out += paint("    " + line(header), .dim) + "\n"
        for (row, cells) in zip(result.rows, rows) {
            var text = "    "
            if cells[0].count > widths[0] {
                text += cells[0] + "\n    " + line([""] + cells.dropFirst())
            } else {
                text += line(cells)
            }
            out += (row.pass ? text : paint(text, .red)) + "\n"
        }
        return out + "\n"
    }

    func evidence(_ row: CheckRow, showingCount: Bool) -> String {
        if let mc = row.monteCarlo {
            let n = showingCount ? " (n=\(Self.count(mc.n)))" : ""
            return "MC " + String(format: "%.7g", mc.mean) + " ± " + Self.twoDigits(mc.stderr) + n
        }
        if let exact = row.exact { return "exact \(Self.number(exact))" }
        if let d = row.statistic, let n = row.sampleCount {
            return "KS D=\(Self.twoDigits(d))" + (showingCount ? " (n=\(Self.count(n)))" : "")
        }
        return "—"
    }

    func measure(_ row: CheckRow) -> String {
        if let z = row.z { return "z=" + String(format: "%+.2f", z) }
        if let r = row.relativeError { return "rel=" + Self.twoDigits(r) }
        if let p = row.pValue { return "p=" + Self.twoDigits(p) }
        return ""
    }

    /// Two significant digits: enough for a standard error or a p-value.
    static func twoDigits(_ x: Double) -> String {
        if x == 0 { return "0" }
        return shortNumber(Double(String(format: "%.2g", x)) ?? x)
    }

    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "∞" : "−∞" }
        return String(format: "%.8g", x)
    }

    static func count(_ n: Int) -> String {
        n >= 10_000 && n % 1000 == 0 ? shortNumber(Double(n)) : "\(n)"
    }

    // MARK: colour

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32"
    }

    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    func leftPadding(toLength length: Int) -> String {
        count >= length ? self : String(repeating: " ", count: length - count) + self
    }
}
