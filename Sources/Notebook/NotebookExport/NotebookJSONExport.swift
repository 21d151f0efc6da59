import CheckCore
import Foundation
import Notebook

/// The machine form of an executed lesson: every block in reading order, check cells with
/// their parameters and rows, plot cells with the figure as base64 PNG and text drawing.
public enum NotebookJSONExport {
    public static func render(_ executed: ExecutedLesson) throws -> String {
        let cells = executed.items.map { item -> Block in
            switch item {
            case .prose(let markdown):
                return Block(kind: "prose", markdown: markdown)
            case .check(let number, let cell, let result):
                return Block(kind: "check", number: number, line: cell.line, command: executed.command(cell: number),
                             id: cell.id, parameters: cell.yaml, result: result)
            case .plot(let number, let cell, let figure):
                return Block(kind: "plot", number: number, line: cell.line, command: executed.command(cell: number),
                             figure: Figure(name: figure.name, png: figure.png.base64EncodedString(), text: figure.text))
            }
        }
        let document = Document(
            lesson: executed.lesson.name, title: executed.lesson.title, summary: executed.lesson.summary,
            seed: executed.result.seed, passed: executed.result.passed, failed: executed.result.failed, blocks: cells)
        return try JSONRenderer.encode(document) + "\n"
    }

    struct Document: Encodable {
        let lesson: String
        let title: String
        let summary: String
        let seed: UInt64
        let passed: Int
        let failed: Int
        let blocks: [Block]
    }

    /// One block; the fields that do not apply to its kind are absent.
    struct Block: Encodable {
        var kind: String
        var markdown: String?
        var number: Int?
        var line: Int?
        var command: String?
        var id: String?
        var parameters: String?
        var result: CellResult?
        var figure: Figure?
    }

    struct Figure: Encodable {
        let name: String
        let png: String
        let text: String
    }
}
