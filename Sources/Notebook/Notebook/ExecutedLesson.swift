import CheckCore
import Foundation

/// A figure drawn for export: the same chart as SVG, as PNG and as a text drawing.
public struct RenderedFigure: Sendable {
    public let name: String
    public let svg: String
    public let png: Data
    public let text: String

    public init(name: String, svg: String, png: Data, text: String) {
        self.name = name
        self.svg = svg
        self.png = png
        self.text = text
    }
}

/// A lesson together with what running it produced, in reading order: what the exports
/// (Markdown, Jupyter, HTML, JSON) are written from.
///
/// The executable cells, checks and plots alike, are numbered 1, 2, … in reading order;
/// `lessons run NAME --cell N` re-runs cell N alone (a check keeps its own random stream,
/// so its numbers are the same as in the whole run).
public struct ExecutedLesson: Sendable {
    public enum Item: Sendable {
        case prose(String)
        case check(number: Int, cell: CheckCell, result: CellResult)
        case plot(number: Int, cell: PlotCell, figure: RenderedFigure)
    }

    public let lesson: Lesson
    public let result: LessonResult
    public let items: [Item]
    /// The sample size that replaced every Monte-Carlo one (`--samples`), if any.
    public let samples: Int?

    /// Pairs each check cell with its result and each plot cell with its figure.
    /// `figures` must hold every figure the plot cells name.
    public init(lesson: Lesson, result: LessonResult, figures: [String: RenderedFigure], samples: Int? = nil) throws {
        self.lesson = lesson
        self.result = result
        self.samples = samples
        var results = result.checks.makeIterator()
        var items: [Item] = []
        var number = 0
        for block in lesson.blocks {
            switch block {
            case .prose(let markdown):
                items.append(.prose(markdown))
            case .check(let cell):
                guard let cellResult = results.next(), cellResult.id == cell.id else {
                    throw LessonError(file: cell.file, line: cell.line, "no result for check \(cell.id) (the result belongs to another run)")
                }
                number += 1
                items.append(.check(number: number, cell: cell, result: cellResult))
            case .plot(let cell):
                guard let figure = figures[cell.name] else {
                    throw LessonError(file: cell.file, line: cell.line, "figure \(cell.name) was not drawn")
                }
                number += 1
                items.append(.plot(number: number, cell: cell, figure: figure))
            }
        }
        self.items = items
    }

    /// The command that reproduces executable cell `number`.
    public func command(cell number: Int) -> String {
        "lessons run \(lesson.name) --cell \(number)" + options
    }

    /// The command that exports this lesson in `format` (for the note at the top of an export).
    public func exportCommand(format: String) -> String {
        "lessons export \(lesson.name) --format \(format)" + options
    }

    /// The options that reproduce this run: the seed unless it is the default 1, and --samples.
    var options: String {
        (result.seed == 1 ? "" : " --seed \(result.seed)") + (samples.map { " --samples \($0)" } ?? "")
    }

    /// "N passed, M failed".
    public var tally: String { "\(result.passed) passed, \(result.failed) failed" }
}

extension Lesson {
    /// The number of executable cells (checks and plots).
    public var executableCellCount: Int { cells.count + plots.count }

    /// The lesson cut down to executable cell `number` (1-based, checks and plots in reading
    /// order), for `lessons run NAME --cell N`.
    public func only(cell number: Int) throws -> Lesson {
        var seen = 0
        for block in blocks {
            switch block {
            case .prose: continue
            case .check, .plot:
                seen += 1
                if seen == number {
                    return Lesson(name: name, file: file, title: title, summary: summary, blocks: [block])
                }
            }
        }
        throw LessonError(file: file, line: 1, "no cell \(number): the lesson has \(executableCellCount) executable cells (accepted: 1…\(executableCellCount))")
    }
}
