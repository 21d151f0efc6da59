import CheckCore
import Foundation
import Notebook

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

    /// `lessons list`: each lesson's name and its summary (scripts in Unicode), the summary
    /// wrapped to the width under itself.
    public func lessonList(_ entries: [(name: String, summary: String)]) -> String {
        let column = (entries.map(\.name.count).max() ?? 0) + 2
        let hanging = String(repeating: " ", count: column)
        return entries.map { entry in
            let head = entry.name.padding(toLength: column)
            return TerminalRenderer(width: width, color: false).wrap(ScriptNotation.unicode(entry.summary), indent: head, hanging: hanging)
        }.joined()
    }

    public func summaryLine(_ result: LessonResult) -> String {
        let text = "\(result.lesson): \(result.passed) passed, \(result.failed) failed"
        return paint(text, result.failed == 0 ? .green : .red)
    }

    // MARK: prose

    /// The blocks of `ProseBlock.parse`: headings underlined, formulas and code indented,
    /// paragraphs and list items wrapped to the width.
    func renderProse(_ markdown: String) -> String {
        var out = ""
        var listOpen = false  // a list ends at the next blank line, which then prints
        for block in ProseBlock.parse(markdown) {
            switch block {
            case .blank:
                if listOpen {
                    out += "\n"
                    listOpen = false
                }
            case .heading(let level, let markdownText):
                let text = LaTeXUnicode.renderProse(markdownText)
                out += "\n" + paint(level <= 1 ? text.uppercased() : text, .bold) + "\n"
                if level <= 2 { out += String(repeating: level == 1 ? "═" : "─", count: min(width, text.count)) + "\n" }
                out += "\n"
            case .displayMath(let math):
                // A long formula breaks at its spaces, its continuation lines indented deeper.
                out += wrap(LaTeXUnicode.render(math), indent: "    ", hanging: "        ") + "\n"
            case .code(_, let lines):
                for line in lines { out += "    " + line + "\n" }
                out += "\n"
            case .listItem(let marker, let lines):
                out += wrapListItem(marker, lines)
                listOpen = true
            case .paragraph(let lines):
                out += wrapParagraph(lines)
            }
        }
        return listOpen ? out + "\n" : out
    }

    func inline(_ text: String) -> String {
        var s = LaTeXUnicode.renderProse(text)
        s = s.replacingOccurrences(of: "**", with: "")
        return s
    }

    func wrapParagraph(_ lines: [String]) -> String {
        wrap(inline(lines.joined(separator: " ")), indent: "", hanging: "") + "\n"
    }

    /// A list item with its marker (`•` for a bullet) and a hanging indent.
    func wrapListItem(_ marker: ProseBlock.ListMarker, _ lines: [String]) -> String {
        let prefix = switch marker {
        case .bullet: "  • "
        case .number(let digits): "  \(digits). "
        }
        let text = inline(lines.joined(separator: " "))
        return wrap(text, indent: prefix, hanging: String(repeating: " ", count: prefix.count))
    }

    /// Greedy word wrap to `width` columns (counted in Characters, colour escapes not counted).
    func wrap(_ text: String, indent: String, hanging: String) -> String {
        var out = ""
        var line = indent
        var lineHasWord = false
        for word in text.split(separator: " ") {
            if lineHasWord && line.visibleCount + 1 + word.visibleCount > width {
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
        var out = wrap("\(mark) \(paint("check \(result.id)", .bold)) — \(ScriptNotation.unicode(result.title))\(claim)", indent: "  ", hanging: "      ")
        if let error = result.error {
            return out + "    " + paint("error: \(error)", .red) + "\n\n"
        }
        // A sample size shared by every row is said once, in the header.
        let sharedCount = CellText.sharedCount(result.rows)
        let header = CellText.header(sharedCount: sharedCount)
        let rows = result.rows.map { row in
            var cells = CellText.cells(row, showingCount: sharedCount == nil)
            cells[0] = ScriptNotation.unicode(cells[0])
            cells[4] += row.pass ? " ✓" : " ✗"
            return cells
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

    // MARK: colour

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32"
    }

    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

extension StringProtocol {
    /// The columns the text takes on a terminal: its Characters, less its colour escapes
    /// (`ESC [ … m`), which take none.
    var visibleCount: Int {
        var count = 0
        var inEscape = false
        for character in self {
            if inEscape {
                if character == "m" { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                count += 1
            }
        }
        return count
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
