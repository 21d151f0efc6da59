import CheckCore
import Foundation
import Notebook

/// An executed lesson as GitHub-flavoured Markdown: the prose as written (math stays
/// `$…$`/`$$…$$`, which GitHub renders), each check cell followed by its parameters and its
/// rows as a table with verdicts, each plot cell as an image link to a PNG file beside it.
public enum MarkdownExport {
    /// `figurePath` gives the relative path of a figure's PNG, by figure name.
    public static func render(_ executed: ExecutedLesson, figurePath: (String) -> String) -> String {
        var parts: [String] = [
            "<!-- Executed from Lessons/\(executed.lesson.name).md by `\(executed.exportCommand(format: "md"))`; edit the lesson, not this file. -->"
        ]
        var noted = false
        for item in executed.items {
            switch item {
            case .prose(let markdown):
                var text = markdown.trimmingCharacters(in: .newlines)
                if !noted, let titleEnd = titleLineEnd(text) {
                    text.insert(contentsOf: "\n\n" + note(executed), at: titleEnd)
                    noted = true
                }
                parts.append(text)
            case .check(let number, let cell, let result):
                parts.append(check(number: number, cell: cell, result: result, command: executed.command(cell: number)))
            case .plot(let number, let cell, _):
                parts.append("**cell \(number) · figure `\(cell.name)`** · `\(executed.command(cell: number))`\n\n"
                    + "![\(escape(cell.name))](\(figurePath(cell.name)))")
            }
        }
        if !noted { parts.insert(note(executed), at: 1) }
        parts.append("---\n\n**\(executed.lesson.name): \(executed.tally)** (seed \(executed.result.seed)).")
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// Where the first line ends when the text opens with a `# ` heading.
    static func titleLineEnd(_ text: String) -> String.Index? {
        guard text.hasPrefix("# ") else { return nil }
        return text.firstIndex(of: "\n") ?? text.endIndex
    }

    static func note(_ executed: ExecutedLesson) -> String {
        "> Executed notebook: **\(executed.tally)** (seed \(executed.result.seed)). "
            + "Each cell names the command that re-runs it; `lessons run \(executed.lesson.name)` runs them all in the terminal."
    }

    static func check(number: Int, cell: CheckCell, result: CellResult, command: String) -> String {
        let mark = result.pass ? "✓" : "✗"
        let verdict = result.verdict.map { " — verdict: **\($0.rawValue)**" } ?? ""
        var out = "**\(mark) cell \(number) · check `\(cell.id)`** — \(ScriptNotation.html(result.title, escape: escape))\(verdict) · `\(command)`"
        let yaml = cell.yaml.trimmingCharacters(in: .whitespacesAndNewlines)
        if !yaml.isEmpty { out += "\n\n```yaml\n\(yaml)\n```" }
        if let error = result.error { return out + "\n\n> **error:** \(escape(error))" }
        out += "\n\n" + table(result.rows)
        return out
    }

    /// A GitHub table: text columns left, number columns right, a verdict column last.
    static func table(_ rows: [CheckRow]) -> String {
        let shared = CellText.sharedCount(rows)
        let header = CellText.header(sharedCount: shared) + ["pass"]
        var lines = [
            "| " + header.map(escape).joined(separator: " | ") + " |",
            "|:--|--:|--:|--:|:--|:-:|",
        ]
        for row in rows {
            var cells = CellText.cells(row, showingCount: shared == nil)
            cells = [ScriptNotation.html(cells[0], escape: escape)] + cells.dropFirst().map(escape) + [row.pass ? "✓" : "✗ **fails**"]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Text safe inside Markdown: no table breaks, emphasis, math, links, code or HTML.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\", "|", "*", "_", "$", "`", "[", "]": out += "\\\(character)"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
