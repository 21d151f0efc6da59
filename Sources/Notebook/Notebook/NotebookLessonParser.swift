import Foundation

/// A Jupyter notebook written in the `lessons` kernel's language, read as a lesson.
///
/// Markdown cells are prose. A code cell is `check ID` followed by YAML parameters, or
/// `plot NAME`, optionally headed by the kernel's magics (`KernelCell`, the grammar the kernel
/// reads too): `%seed N` and `%samples N` (the run's seed and sample-size override when the
/// command line gives none; a notebook has one of each; `%samples default`, which in the
/// kernel stops an earlier `%samples N`, here says the lesson's own sizes), `%stream K` (this
/// check's random stream, 0 when not given, as in the kernel) and `%timeout S` (the kernel's
/// time limit, ignored here). Code cells the kernel runs as commands (`calc …`, `verify …`)
/// and empty code cells are not part of a lesson: they are skipped and named in `skipped`.
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
                if let block = parsed.block(file: where_) {
                    blocks.append(block)
                } else if case .command(let arguments, _) = parsed.body {
                    skipped.append("cell \(offset + 1): `\(arguments.joined(separator: " "))` (a command the kernel runs; not a lesson cell)")
                }
            default:
                continue  // raw cells
            }
        }
        let lesson = Lesson(name: name, file: file, title: title ?? name, summary: "", blocks: blocks)
        return NotebookLesson(lesson: lesson, seed: seed, samples: samples, skipped: skipped)
    }
}
