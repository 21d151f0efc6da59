import CheckCore
import Foundation
import Notebook

/// An executed lesson as a Jupyter notebook (nbformat 4.5): a markdown cell per piece of
/// prose (Jupyter renders the `$…$` math), and a code cell per check or plot cell holding
/// the shell command that reproduces it, with its executed outputs: a check's table as
/// text/plain and text/markdown, a figure as image/png (base64) with its text drawing.
public enum JupyterExport {
    public static func render(_ executed: ExecutedLesson) throws -> String {
        var cells: [Cell] = [.markdown(id: "note", source: MarkdownExport.note(executed))]
        var proseCount = 0
        for item in executed.items {
            switch item {
            case .prose(let markdown):
                proseCount += 1
                cells.append(.markdown(id: "prose-\(proseCount)", source: markdown.trimmingCharacters(in: .newlines)))
            case .check(let number, let cell, let result):
                var source = "# check \(cell.id): \(result.title)\n"
                for line in cell.yaml.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n") {
                    source += "#   \(line)\n"
                }
                source += "!" + executed.command(cell: number)
                let plain = TerminalRenderer(width: 100).renderCell(result, cell: cell)
                let markdown = MarkdownExport.check(number: number, cell: cell, result: result, command: executed.command(cell: number))
                cells.append(.code(id: "cell-\(number)", number: number, source: source, output: Output(
                    kind: "execute_result", number: number,
                    data: ["text/plain": .lines(plain), "text/markdown": .lines(markdown)])))
            case .plot(let number, let cell, let figure):
                let source = "# figure \(cell.name)\n!" + executed.command(cell: number)
                cells.append(.code(id: "cell-\(number)", number: number, source: source, output: Output(
                    kind: "display_data", number: nil,
                    data: ["image/png": .text(figure.png.base64EncodedString()), "text/plain": .lines(figure.text)])))
            }
        }
        let notebook = Notebook(cells: cells, metadata: Metadata(
            kernelspec: Kernel(display_name: "Python 3", language: "python", name: "python3"),
            language_info: Language(name: "python"),
            lessons: Provenance(lesson: executed.lesson.name, seed: executed.result.seed,
                                passed: executed.result.passed, failed: executed.result.failed)))
        return try JSONRenderer.encode(notebook) + "\n"
    }

    // MARK: the nbformat 4 document

    struct Notebook: Encodable {
        let cells: [Cell]
        let metadata: Metadata
        let nbformat = 4
        let nbformat_minor = 5
    }

    struct Metadata: Encodable {
        let kernelspec: Kernel
        let language_info: Language
        let lessons: Provenance
    }

    struct Kernel: Encodable {
        let display_name: String
        let language: String
        let name: String
    }

    struct Language: Encodable {
        let name: String
    }

    /// Which lesson and seed the outputs come from.
    struct Provenance: Encodable {
        let lesson: String
        let seed: UInt64
        let passed: Int
        let failed: Int
    }

    /// A multi-line string as nbformat stores it: lines that keep their "\n", or one string.
    enum Text: Encodable {
        case lines(String)
        case text(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .lines(let text): try container.encode(JupyterExport.lines(text))
            case .text(let text): try container.encode(text)
            }
        }
    }

    struct Output: Encodable {
        let kind: String
        let number: Int?
        let data: [String: Text]

        enum Keys: String, CodingKey { case output_type, execution_count, data, metadata }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(kind, forKey: .output_type)
            if let number { try c.encode(number, forKey: .execution_count) }
            try c.encode(data, forKey: .data)
            try c.encode([String: String](), forKey: .metadata)
        }
    }

    enum Cell: Encodable {
        case markdown(id: String, source: String)
        case code(id: String, number: Int, source: String, output: Output)

        enum Keys: String, CodingKey { case cell_type, id, metadata, source, outputs, execution_count }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode([String: String](), forKey: .metadata)
            switch self {
            case .markdown(let id, let source):
                try c.encode("markdown", forKey: .cell_type)
                try c.encode(id, forKey: .id)
                try c.encode(JupyterExport.lines(source), forKey: .source)
            case .code(let id, let number, let source, let output):
                try c.encode("code", forKey: .cell_type)
                try c.encode(id, forKey: .id)
                try c.encode(number, forKey: .execution_count)
                try c.encode(JupyterExport.lines(source), forKey: .source)
                try c.encode([output], forKey: .outputs)
            }
        }
    }

    /// Splits text into lines that keep their newline, as Jupyter writes them.
    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == "\n" {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
