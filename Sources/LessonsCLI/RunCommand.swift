import ArgumentParser
import Foundation
import Notebook

extension LessonsCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a lesson (or all): its prose, each check's evidence and verdicts.",
            discussion: "Exit status: 0 when every check passed, 1 when a check failed, 2 when a lesson file is malformed.")

        @Argument(help: "A lesson name (see `lessons list`) or `all`.")
        var name: String

        @Option(help: "The seed of every random stream (each cell draws from its own stream of this seed).")
        var seed: UInt64 = 1

        @Option(help: "Replace every Monte-Carlo sample size (100…100000000).")
        var samples: Int?

        @Flag(help: "Print the executed lesson as JSON instead of text.")
        var json = false

        @OptionGroup var library: LibraryOptions

        func validate() throws {
            if let samples, !(100...100_000_000).contains(samples) {
                throw ValidationError("--samples must be between 100 and 100000000 (got \(samples))")
            }
        }

        func run() throws {
            let lessons = try library.library()
            let names: [String]
            do {
                names = try lessons.resolve(name)
            } catch let error as CLIError {
                throw ValidationError(error.description)
            }
            let runner = lessons.runner
            let terminal = Terminal.current
            var results: [LessonResult] = []
            for lessonName in names {
                let lesson: Lesson
                let result: LessonResult
                do {
                    lesson = try lessons.lesson(lessonName)
                    result = try runner.run(lesson, seed: seed, samples: samples) { done, total, id in
                        terminal.progress("\(lessonName) [\(done + 1)/\(total)] \(id)")
                    }
                } catch let error as LessonError {
                    terminal.clearProgress()
                    Terminal.printError(error.description)
                    throw ExitCode(2)
                } catch let error as CLIError {
                    terminal.clearProgress()
                    Terminal.printError(error.description)
                    throw ExitCode(2)
                }
                terminal.clearProgress()
                results.append(result)
                if !json {
                    let renderer = TerminalRenderer(width: terminal.width, color: terminal.color)
                    print(renderer.render(lesson, result, charts: textDrawings(lesson, width: terminal.width)), terminator: "")
                }
            }
            if json {
                if results.count == 1, let only = results.first {
                    print(try JSONRenderer.encode(only))
                } else {
                    print(try JSONRenderer.encode(AllLessons(lessons: results)))
                }
            } else if results.count > 1 {
                let all = AllLessons(lessons: results)
                print("all \(results.count) lessons: \(all.passed) passed, \(all.failed) failed")
            }
            if results.contains(where: { $0.failed > 0 }) { throw ExitCode(1) }
        }
    }
}

extension LessonsCommand.Run {
    /// The text drawing of each figure the lesson's plot cells name; a figure that cannot
    /// be drawn (gnuplot missing, say) shows why instead.
    func textDrawings(_ lesson: Lesson, width: Int) -> [String: String] {
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
