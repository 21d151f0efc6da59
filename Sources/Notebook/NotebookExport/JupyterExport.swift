import CheckCore
import Foundation
import Notebook

/// An executed lesson as a Jupyter notebook (nbformat 4.5) in the `lessons` kernel's
/// language: a markdown cell per piece of prose (Jupyter renders the `$…$` math), and a code
/// cell per check (`check ID` and its YAML parameters) or figure (`plot NAME`), with the
/// outputs the kernel gives for it (`JupyterOutput`). The first code cell sets the seed
/// (`%seed S`, and `%samples N` when every sample size was replaced); each check cell names
/// its random stream (`%stream K`, the lesson's K+1-th check), so a cell re-run alone gives
/// the same table.
public enum JupyterExport {
    public static func render(_ executed: ExecutedLesson) throws -> String {
        var cells: [Cell] = [.markdown(id: "note", source: note(executed))]
        var proseCount = 0
        var executionCount = 0
        let seed = executed.result.seed
        var settings = "%seed \(seed)\n" + (executed.samples.map { "%samples \($0)\n" } ?? "")
        for item in executed.items {
            switch item {
            case .prose(let markdown):
                proseCount += 1
                cells.append(.markdown(id: "prose-\(proseCount)", source: markdown.trimmingCharacters(in: .newlines)))
            case .check(let number, let cell, let result):
                executionCount += 1
                let yaml = cell.yaml.trimmingCharacters(in: .whitespacesAndNewlines)
                let source = settings + "%stream \(cell.index)\ncheck \(cell.id)" + (yaml.isEmpty ? "" : "\n" + yaml)
                settings = ""
                cells.append(.code(id: "cell-\(number)", number: executionCount, source: source, output: Output(
                    kind: "execute_result", number: executionCount,
                    data: JupyterOutput.check(cell: cell, result: result, seed: seed, samples: executed.samples))))
            case .plot(let number, let cell, let figure):
                executionCount += 1
                let source = settings + "plot \(cell.name)"
                settings = ""
                cells.append(.code(id: "cell-\(number)", number: executionCount, source: source, output: Output(
                    kind: "display_data", number: nil, data: JupyterOutput.figure(figure))))
            }
        }
        let notebook = Notebook(cells: cells, metadata: Metadata(
            kernelspec: Kernel(display_name: "lessons", language: "lessons", name: "lessons"),
            language_info: Language(name: "lessons"),
            lessons: Provenance(lesson: executed.lesson.name, seed: executed.result.seed,
                                passed: executed.result.passed, failed: executed.result.failed)))
        return try JSONRenderer.encode(notebook) + "\n"
    }

    static func note(_ executed: ExecutedLesson) -> String {
        "> Executed notebook: **\(executed.tally)** (seed \(executed.result.seed)), for the `lessons` Jupyter kernel. "
            + "Edit a cell's parameters and run it to see its table change; `lessons run \(executed.lesson.name)` runs them all in the terminal."
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

    struct Output: Encodable {
        let kind: String
        let number: Int?
        let data: [String: JupyterOutput.Value]

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
