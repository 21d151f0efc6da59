import Foundation

/// A Jupyter notebook written in the `lessons` kernel's language, read as a lesson.
///
/// Markdown cells are prose. A code cell is `check ID` followed by YAML parameters, or
/// `plot NAME`, optionally headed by the kernel's magics: `%seed N` and `%samples N` (the
/// run's seed and sample-size override when the command line gives none; a notebook has
/// one of each; `%samples default`, which in the kernel stops an earlier `%samples N`, here
/// says the lesson's own sizes), `%stream K` (this check's random stream, 0 when not given,
/// as in the kernel) and `%timeout S` (the kernel's time limit, ignored here). Code cells the kernel
/// runs as commands (`calc …`, `verify …`) and empty code cells are not part of a lesson:
/// they are skipped and named in `skipped`.
public struct NotebookLesson: Sendable {
    public let lesson: Lesson
    public let seed: UInt64?
    public let samples: Int?
    /// "cell N: …" for each code cell that was not a check or a plot.
    public let skipped: [String]

    /// Parses the notebook `data`, named `name`, from `file` (used in error messages as
    /// `FILE[cell N]:LINE`, the line counted within the cell's source).
    public static func parse(_ data: Foundation.Data, name: String, file: String) throws -> NotebookLesson {
        let top: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw LessonError(file: file, line: 1, "a notebook is a JSON object with \"cells\" (nbformat 4)")
            }
            top = object
        } catch let error as LessonError {
            throw error
        } catch {
            throw LessonError(file: file, line: 1, "not a Jupyter notebook: the file is not valid JSON (\(error.localizedDescription))")
        }
        guard let format = top["nbformat"] as? Int, format == 4, let cells = top["cells"] as? [[String: Any]] else {
            throw LessonError(file: file, line: 1, "not a Jupyter notebook in nbformat 4 (expected \"nbformat\": 4 and a \"cells\" list)")
        }
        var blocks: [LessonBlock] = []
        var seed: UInt64?, samples: Int?
        var samplesWritten: String?  // the first %samples value ("default" or N), to name a conflict
        var skipped: [String] = []
        var title: String?
        for (offset, cell) in cells.enumerated() {
            let where_ = "\(file)[cell \(offset + 1)]"
            let source: String
            if let text = cell["source"] as? String {
                source = text
            } else if let lines = cell["source"] as? [String] {
                source = lines.joined()
            } else {
                throw LessonError(file: where_, line: 1, "a cell's \"source\" must be a string or a list of strings")
            }
            switch cell["cell_type"] as? String {
            case "markdown":
                if title == nil, let heading = source.split(separator: "\n").first(where: { $0.hasPrefix("# ") }) {
                    title = String(heading.dropFirst(2)).trimmingSpaces
                }
                if !source.trimmingSpaces.isEmpty { blocks.append(.prose(source)) }
            case "code":
                let parsed = try KernelCell.parse(source, file: where_)
                if let value = parsed.seed {
                    if let seed, seed != value {
                        throw LessonError(file: where_, line: parsed.seedLine, "%seed \(value) after %seed \(seed): a notebook run as a lesson has one seed")
                    }
                    seed = value
                }
                if let written = parsed.samplesWritten {
                    if let samplesWritten, samplesWritten != written {
                        throw LessonError(file: where_, line: parsed.samplesLine, "%samples \(written) after %samples \(samplesWritten): a notebook run as a lesson has one sample size")
                    }
                    samplesWritten = written
                    samples = parsed.samples
                }
                switch parsed.body {
                case .check(let id, let yaml, let line):
                    blocks.append(.check(CheckCell(id: id, yaml: yaml, file: where_, line: line, index: parsed.stream ?? 0)))
                case .plot(let name, let line):
                    blocks.append(.plot(PlotCell(name: name, file: where_, line: line)))
                case .command(let text):
                    skipped.append("cell \(offset + 1): `\(text)` (a command the kernel runs; not a lesson cell)")
                case .empty:
                    break
                }
            default:
                continue  // raw cells
            }
        }
        let lesson = Lesson(name: name, file: file, title: title ?? name, summary: "", blocks: blocks)
        return NotebookLesson(lesson: lesson, seed: seed, samples: samples, skipped: skipped)
    }
}

/// One code cell of the kernel's language: its magics and what it runs.
struct KernelCell {
    enum Body {
        /// `check ID` on line `line` (its YAML follows it, as in a lesson's fence).
        case check(id: String, yaml: String, line: Int)
        case plot(name: String, line: Int)
        case command(String)
        case empty
    }

    var seed: UInt64?
    var seedLine = 1
    /// The `%samples` value: a size, or nil for `default` (the checks' own sizes).
    var samples: Int?
    /// `%samples`' argument (the size in digits, or "default"), nil when the cell has none.
    var samplesWritten: String?
    var samplesLine = 1
    var stream: Int?
    var body = Body.empty

    static func parse(_ source: String, file: String) throws -> KernelCell {
        var cell = KernelCell()
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count, lines[index].trimmingSpaces.isEmpty || lines[index].trimmingSpaces.hasPrefix("%") {
            let text = lines[index].trimmingSpaces
            if !text.isEmpty { try cell.magic(text, file: file, line: index + 1) }
            index += 1
        }
        guard index < lines.count else { return cell }
        let head = lines[index].trimmingSpaces
        let words = head.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch words.first {
        case "check":
            guard words.count == 2, LessonParser.isCheckID(words[1]) else {
                throw LessonError(file: file, line: index + 1, "a check cell starts with `check ID`, one id such as gaussian.sum (got \"\(head)\")")
            }
            if cell.stream == nil { cell.stream = 0 }
            cell.body = .check(id: words[1], yaml: lines[(index + 1)...].joined(separator: "\n"), line: index + 1)
        case "plot":
            guard words.count == 2, LessonParser.isCheckID(words[1]) else {
                throw LessonError(file: file, line: index + 1, "a plot cell is `plot NAME` (got \"\(head)\")")
            }
            guard lines[(index + 1)...].allSatisfy({ $0.trimmingSpaces.isEmpty }) else {
                throw LessonError(file: file, line: index + 2, "a plot cell takes no parameters: remove the lines after `plot \(words[1])`")
            }
            cell.body = .plot(name: words[1], line: index + 1)
        default:
            cell.body = .command(head)
        }
        return cell
    }

    mutating func magic(_ text: String, file: String, line: Int) throws {
        // Spaces or tabs between the name and its value, as the kernel reads a magic.
        let words = text.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let name = words.first ?? ""
        let value = words.count == 2 ? words[1] : nil
        // A whole number is written in digits only (no sign), as the kernel reads it.
        let digits = value.flatMap { $0.allSatisfy { $0.isASCII && $0.isNumber } ? $0 : nil }
        switch name {
        case "seed":
            guard let digits, let seed = UInt64(digits) else {
                throw LessonError(file: file, line: line, "%seed takes a whole number in 0…18446744073709551615 (got \"\(text)\")")
            }
            self.seed = seed
            seedLine = line
        case "stream":
            guard let digits, let stream = Int(digits) else {
                throw LessonError(file: file, line: line, "%stream takes a whole number 0 or more: the random stream of this check (got \"\(text)\")")
            }
            self.stream = stream
        case "samples":
            if value == "default" {
                samples = nil
            } else {
                guard let digits, let samples = Int(digits), (500...100_000_000).contains(samples) else {
                    throw LessonError(file: file, line: line, "%samples takes a sample size in 500…100000000, or `default` (got \"\(text)\")")
                }
                self.samples = samples
            }
            samplesWritten = samples.map { String($0) } ?? "default"
            samplesLine = line
        case "timeout":
            guard let value, let seconds = Double(value), (1...3600).contains(seconds) else {
                throw LessonError(file: file, line: line, "%timeout takes seconds in 1…3600 (got \"\(text)\")")
            }
        default:
            throw LessonError(file: file, line: line, "unknown magic \"\(text)\"; accepted: %seed N, %stream K, %samples N, %timeout SECONDS")
        }
    }
}
