import CheckCore
import Foundation
import Notebook

/// What a Jupyter front end shows for one executed lesson cell. The `lessons` kernel runs a
/// cell by exporting it as a one-cell notebook and sending these outputs, and
/// `export --format ipynb` writes the same ones, so "Restart and run all" on an exported
/// notebook reproduces its outputs byte for byte.
public enum JupyterOutput {
    /// A check's outputs: its table as text/plain (the terminal's, 100 columns, no colour),
    /// text/html and text/markdown, and its rows as JSON together with what reproduces them
    /// (seed, stream, parameters, sample-size override). The JSON goes under a type of its own:
    /// JupyterLab prefers `application/json` to every other type and would show the rows as a
    /// JSON tree in place of the table.
    public static func check(cell: CheckCell, result: CellResult, seed: UInt64, samples: Int?) -> [String: Value] {
        let json = CheckJSON(result: result, seed: seed, stream: cell.index,
                             parameters: cell.yaml.trimmingCharacters(in: .whitespacesAndNewlines), samples: samples)
        return [
            "text/plain": .lines(TerminalRenderer(width: 100).renderCell(result, cell: cell)),
            "text/html": .lines(html(result)),
            "text/markdown": .lines(markdown(result)),
            "application/vnd.lessons.check+json": .object(json),
        ]
    }

    /// A figure's outputs: SVG and PNG (base64), and its text drawing.
    public static func figure(_ figure: RenderedFigure) -> [String: Value] {
        [
            "image/svg+xml": .lines(HTMLExport.inlineSVG(figure.svg, prefix: "\(figure.name)-")),
            "image/png": .text(figure.png.base64EncodedString()),
            "text/plain": .lines(figure.text),
        ]
    }

    static func heading(_ result: CellResult) -> (mark: String, verdict: String?) {
        (result.pass ? "✓" : "✗", result.verdict?.rawValue)
    }

    static func html(_ result: CellResult) -> String {
        let (mark, verdict) = heading(result)
        var out = "<p><strong>\(mark) check <code>\(HTMLProse.escape(result.id))</code></strong> — \(ScriptNotation.html(result.title, escape: HTMLProse.escape))"
        if let verdict { out += " — verdict: <strong>\(HTMLProse.escape(verdict))</strong>" }
        out += "</p>\n"
        if let error = result.error { return out + "<p><strong>error:</strong> \(HTMLProse.escape(error))</p>\n" }
        return out + HTMLExport.table(result.rows)
    }

    static func markdown(_ result: CellResult) -> String {
        let (mark, verdict) = heading(result)
        var out = "**\(mark) check `\(result.id)`** — \(ScriptNotation.html(result.title, escape: MarkdownExport.escape))"
        if let verdict { out += " — verdict: **\(verdict)**" }
        if let error = result.error { return out + "\n\n> **error:** \(MarkdownExport.escape(error))" }
        return out + "\n\n" + MarkdownExport.table(result.rows)
    }

    /// One value of an output's data: text as nbformat stores it (lines that keep their
    /// "\n", or one string), or a JSON object.
    public enum Value: Encodable {
        case lines(String)
        case text(String)
        case object(any Encodable)

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .lines(let text):
                var container = encoder.singleValueContainer()
                try container.encode(JupyterExport.lines(text))
            case .text(let text):
                var container = encoder.singleValueContainer()
                try container.encode(text)
            case .object(let value):
                try value.encode(to: encoder)
            }
        }
    }

    /// A check's rows as JSON, without what depends on where the cell stands (its line).
    struct CheckJSON: Encodable {
        let result: CellResult
        let seed: UInt64
        let stream: Int
        let parameters: String
        let samples: Int?

        enum Keys: String, CodingKey { case id, title, pass, verdict, sources, rows, error, seed, stream, parameters, samples }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(result.id, forKey: .id)
            try c.encode(result.title, forKey: .title)
            try c.encode(result.pass, forKey: .pass)
            try c.encodeIfPresent(result.verdict, forKey: .verdict)
            try c.encodeIfPresent(result.sources, forKey: .sources)
            try c.encode(result.rows, forKey: .rows)
            try c.encodeIfPresent(result.error, forKey: .error)
            try c.encode(seed, forKey: .seed)
            try c.encode(stream, forKey: .stream)
            try c.encode(parameters, forKey: .parameters)
            try c.encodeIfPresent(samples, forKey: .samples)
        }
    }
}
