import CheckCore
import Foundation
import Notebook

/// An executed lesson as an HTML page that opens offline: the prose (`HTMLProse`), each check
/// cell as a table with verdicts, each figure as inline SVG. With `katex`, the relative folder
/// holding KaTeX's script, style sheet and fonts, the page renders every formula with KaTeX
/// when it loads; without it (or with scripts off) the formulas read as Unicode text. Nothing
/// is fetched from a network.
public enum HTMLExport {
    public static func render(_ executed: ExecutedLesson, katex: String? = nil) -> String {
        var body = "<p class=\"note\">Executed notebook: <strong>\(executed.tally)</strong> (seed \(executed.result.seed)). "
            + "Each cell names the command that re-runs it; <code>lessons run \(HTMLProse.escape(executed.lesson.name))</code> runs them all in the terminal.</p>\n"
        for item in executed.items {
            switch item {
            case .prose(let markdown):
                body += HTMLProse.render(markdown)
            case .check(let number, let cell, let result):
                body += check(number: number, cell: cell, result: result, command: executed.command(cell: number))
            case .plot(let number, let cell, let figure):
                body += "<figure class=\"cell\" id=\"cell-\(number)\">\n" + inlineSVG(figure.svg, prefix: "cell-\(number)-")
                    + "<figcaption>cell \(number) · figure <code>\(HTMLProse.escape(cell.name))</code> · <code>\(HTMLProse.escape(executed.command(cell: number)))</code></figcaption>\n</figure>\n"
            }
        }
        let verdict = executed.result.failed == 0 ? "pass" : "fail"
        body += "<footer class=\"\(verdict)\"><strong>\(HTMLProse.escape(executed.lesson.name)): \(executed.tally)</strong> (seed \(executed.result.seed)).</footer>\n"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLProse.escape(executed.lesson.title))</title>
            \(katex.map(katexHead) ?? "")<style>
            \(style)
            </style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
    }

    /// The lines that load KaTeX from `folder` and render each `.math[data-tex]` element in
    /// place (`div` as display math). A formula KaTeX cannot parse is shown in red with
    /// KaTeX's message (`throwOnError: false`) instead of stopping the others.
    static func katexHead(_ folder: String) -> String {
        let folder = HTMLProse.escape(folder)
        return """
            <link rel="stylesheet" href="\(folder)/katex.min.css">
            <script defer src="\(folder)/katex.min.js"></script>
            <script>
            document.addEventListener("DOMContentLoaded", function () {
              if (!window.katex) return;
              for (const element of document.querySelectorAll(".math[data-tex]")) {
                katex.render(element.dataset.tex, element, {displayMode: element.tagName === "DIV", throwOnError: false});
              }
            });
            </script>

            """
    }

    static let style = """
        body { margin: 0; background: #fff; color: #1b1b1b; font: 16px/1.55 "DejaVu Serif", Georgia, serif; }
        main { max-width: 52rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        h1, h2, h3 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.25; }
        code, pre, table { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85rem; }
        pre { background: #f5f5f2; padding: 0.6rem 0.8rem; overflow-x: auto; }
        .math { font-style: normal; white-space: nowrap; }
        div.math { text-align: center; margin: 0.8rem 0; white-space: normal; }
        .note { background: #eef4fb; padding: 0.5rem 0.8rem; }
        .cell { margin: 1.2rem 0; border-left: 4px solid #2e7d32; padding-left: 0.8rem; }
        .cell.fail { border-color: #c62828; }
        .cell h3 { font-size: 1rem; margin: 0 0 0.4rem; }
        .cell .command { margin: 0.2rem 0; }
        table { border-collapse: collapse; display: block; overflow-x: auto; }
        th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: right; white-space: nowrap; }
        th:first-child, td:first-child, td.rule { text-align: left; white-space: normal; }
        td:first-child { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; }
        tr.fail td { color: #c62828; font-weight: bold; }
        figure { margin: 1.2rem 0; }
        figure svg { max-width: 100%; height: auto; }
        footer { margin-top: 2rem; padding-top: 0.6rem; border-top: 1px solid #ccc; }
        footer.fail { color: #c62828; }
        """

    static func check(number: Int, cell: CheckCell, result: CellResult, command: String) -> String {
        let mark = result.pass ? "✓" : "✗"
        let verdict = result.verdict.map { " — verdict: <strong>\(HTMLProse.escape($0.rawValue))</strong>" } ?? ""
        var out = "<section class=\"cell \(result.pass ? "pass" : "fail")\" id=\"cell-\(number)\">\n"
        out += "<h3>\(mark) cell \(number) · check <code>\(HTMLProse.escape(cell.id))</code> — \(ScriptNotation.html(result.title, escape: HTMLProse.escape))\(verdict)</h3>\n"
        out += "<p class=\"command\"><code>\(HTMLProse.escape(command))</code></p>\n"
        let yaml = cell.yaml.trimmingCharacters(in: .whitespacesAndNewlines)
        if !yaml.isEmpty { out += "<pre class=\"parameters\">\(HTMLProse.escape(yaml))</pre>\n" }
        if let error = result.error {
            return out + "<p class=\"error\"><strong>error:</strong> \(HTMLProse.escape(error))</p>\n</section>\n"
        }
        return out + table(result.rows) + "</section>\n"
    }

    /// A check's rows as an HTML table: the terminal's columns and a pass column.
    static func table(_ rows: [CheckRow]) -> String {
        let shared = CellText.sharedCount(rows)
        var out = "<table>\n<thead><tr>" + (CellText.header(sharedCount: shared) + ["pass"]).map { "<th>\(HTMLProse.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            let cells = CellText.cells(row, showingCount: shared == nil)
            out += "<tr class=\"\(row.pass ? "pass" : "fail")\">"
            for (column, text) in cells.enumerated() {
                let html = column == 0 ? ScriptNotation.html(text, escape: HTMLProse.escape) : HTMLProse.escape(text)
                out += column == 4 ? "<td class=\"rule\">\(html)</td>" : "<td>\(html)</td>"
            }
            out += "<td>\(row.pass ? "✓" : "✗")</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// A gnuplot SVG document made fit to sit inside the page: the XML declaration dropped
    /// and every id (and every reference to one) prefixed, so two figures never share an id.
    static func inlineSVG(_ svg: String, prefix: String) -> String {
        var text = svg
        if text.hasPrefix("<?xml"), let end = text.range(of: "?>") { text = String(text[end.upperBound...]) }
        for quote in ["'", "\""] {
            text = text.replacingOccurrences(of: " id=\(quote)", with: " id=\(quote)\(prefix)")
            text = text.replacingOccurrences(of: "href=\(quote)#", with: "href=\(quote)#\(prefix)")
        }
        text = text.replacingOccurrences(of: "url(#", with: "url(#\(prefix)")
        return text.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }
}
