import ArgumentParser
import CheckCore
import Foundation
import Notebook
import NotebookExport

extension LessonsCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a lesson (or all): its prose, each check's evidence and verdicts.",
            discussion: "Exit status: 0 when every check passed, 1 when a check failed, 2 when a lesson file is malformed.")

        @Argument(help: "A lesson name (see `lessons list`), `all`, the path of a lesson file ending in .md, or of a notebook in the kernel's language ending in .ipynb.", completion: Completions.lessons)
        var name: String

        @Option(help: "The seed of every random stream (each cell draws from its own stream of this seed).", transform: seedArgument)
        var seed: UInt64?

        @Option(help: "Number the checks' random streams from K (default: as in the lesson, its first check drawing from stream 0; a notebook's check from its %stream): a check taken out of a lesson, where it was the (K+1)-th, gives the lesson's numbers again.")
        var stream: Int?

        @Option(help: "Replace every Monte-Carlo sample size (500…100000000).")
        var samples: Int?

        @Option(help: "Run only executable cell N (checks and plots numbered 1… in reading order, as the exports show them); one lesson only.")
        var cell: Int?

        @Flag(help: "Print the executed lesson as JSON instead of text.")
        var json = false

        @Flag(help: "Print only each check's verdict line and the totals: no prose, no tables.")
        var quiet = false

        @Flag(help: "Print the lesson straight to the terminal, without a pager ($LESSONS_PAGER, $PAGER or less pages a lesson taller than the terminal).")
        var noPager = false

        @OptionGroup var library: LibraryOptions

        @OptionGroup var rng: GeneratorOptions

        func validate() throws {
            try LessonExecution.validate(samples: samples)
            if let stream, stream < 0 { throw ValidationError("--stream must be 0 or more (got \(stream))") }
            guard !(quiet && json) else { throw ValidationError("--quiet and --json are two different outputs: choose one") }
            if let cell {
                guard cell >= 1 else { throw ValidationError("--cell must be 1 or more (got \(cell))") }
                guard name != "all" else { throw ValidationError("--cell needs one lesson, not all") }
            }
        }

        func run() throws {
            let (lessons, name) = try library.lessons(for: name)
            let names = try LessonExecution.names(name, in: lessons)
            let settings = try lessons.notebookSettings()
            let seed = self.seed ?? settings.seed ?? 1
            let samples = self.samples ?? settings.samples
            let terminal = Terminal.current
            var results: [LessonResult] = []
            var text = ""  // the text output, paged at the end
            for lessonName in names {
                let (lesson, result) = try LessonExecution.run(lessonName, in: lessons, seed: seed, samples: samples, cell: cell, stream: stream, generator: rng.generator)
                results.append(result)
                if quiet && !json {
                    print(VerdictLines.render(result, firstCell: cell ?? 1), terminator: "")
                } else if !json {
                    let renderer = TerminalRenderer(width: terminal.width, color: terminal.color)
                    text += renderer.render(lesson, result, charts: textDrawings(lesson, seed: seed, width: terminal.width))
                }
            }
            if json {
                if results.count == 1, let only = results.first {
                    print(try JSONRenderer.encode(only))
                } else {
                    print(try JSONRenderer.encode(AllLessons(lessons: results)))
                }
            } else {
                if results.count > 1 {
                    let all = AllLessons(lessons: results)
                    text += "all \(results.count) lessons: \(all.passed) passed, \(all.failed) failed\n"
                }
                if !rng.note.isEmpty { text += rng.note + "\n" }
                Pager.print(text, noPager: noPager || quiet)
            }
            if results.contains(where: { $0.failed > 0 }) { throw ExitCode(1) }
        }
    }
}

extension LessonsCommand.Run {
    /// The text drawing of each figure the lesson's plot cells name; a figure that cannot
    /// be drawn (gnuplot missing, say) shows why instead.
    func textDrawings(_ lesson: Lesson, seed: UInt64, width: Int) -> [String: String] {
        var drawings: [String: String] = [:]
        for plot in lesson.plots where drawings[plot.name] == nil {
            do {
                drawings[plot.name] = try FigureLibrary.textDrawing(plot.name, seed: seed, width: width) + "\n"
            } catch {
                drawings[plot.name] = "    (figure unavailable: \(error))\n"
            }
        }
        return drawings
    }
}

/// `run all --json`: every lesson and the totals.
struct AllLessons: Encodable {
    let lessons: [LessonResult]
    let passed: Int
    let failed: Int

    init(lessons: [LessonResult]) {
        self.lessons = lessons
        passed = lessons.reduce(0) { $0 + $1.passed }
        failed = lessons.reduce(0) { $0 + $1.failed }
    }
}
