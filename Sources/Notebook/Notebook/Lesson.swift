import CheckCore

/// A lesson: Markdown prose with LaTeX math, interleaved with executable check cells.
///
/// File format (`Lessons/<name>.md`):
/// - an optional front matter block `---` … `---` with `title:` and `summary:`;
/// - Markdown prose, math as `$…$` and `$$…$$`;
/// - check cells: a fence ```` ```check ID ```` whose body is YAML parameters;
/// - plot cells: a fence ```` ```plot NAME ```` with an empty body, naming a figure.
public struct Lesson: Sendable {
    public let name: String
    public let file: String
    public let title: String
    public let summary: String
    public let blocks: [LessonBlock]

    public var cells: [CheckCell] {
        blocks.compactMap { if case .check(let cell) = $0 { return cell } else { return nil } }
    }

    public var plots: [PlotCell] {
        blocks.compactMap { if case .plot(let cell) = $0 { return cell } else { return nil } }
    }

    /// The lesson with its check cells' random streams numbered from `first` in reading
    /// order: a check taken out of a lesson, where it was the k-th check (stream k − 1),
    /// gives the lesson's numbers again when its one-cell lesson starts at stream k − 1.
    public func streams(from first: Int) -> Lesson {
        var next = first
        let renumbered = blocks.map { block -> LessonBlock in
            guard case .check(let cell) = block else { return block }
            defer { next += 1 }
            return .check(CheckCell(id: cell.id, yaml: cell.yaml, file: cell.file, line: cell.line, index: next))
        }
        return Lesson(name: name, file: file, title: title, summary: summary, blocks: renumbered)
    }
}

/// A piece of a lesson, in reading order.
public enum LessonBlock: Sendable {
    /// Markdown prose (may contain headings, lists, math and ordinary code fences).
    case prose(String)
    case check(CheckCell)
    case plot(PlotCell)
}

/// A ```` ```plot NAME ```` cell: a figure drawn where the cell stands.
public struct PlotCell: Sendable {
    public let name: String
    public let file: String
    /// 1-based line of the opening fence.
    public let line: Int
}

/// A ```` ```check ID ```` cell: the check's id, its YAML body and where it sits.
public struct CheckCell: Sendable {
    public let id: String
    public let yaml: String
    public let file: String
    /// 1-based line of the opening fence.
    public let line: Int
    /// 0-based position among the lesson's check cells (also its random stream).
    public let index: Int
}

/// A problem in a lesson file, with where it is and what is accepted.
public struct LessonError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}
