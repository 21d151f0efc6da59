import ArgumentParser
import CheckCore
import Foundation
import Notebook
import Stochastic

/// Runs one lesson for `run` and `export`, with progress on stderr; a malformed lesson is
/// reported and exits 2. `stream` renumbers the checks' random streams (`--stream`).
enum LessonExecution {
    static func run(
        _ name: String, in lessons: LessonLibrary, seed: UInt64, samples: Int? = nil, cell: Int? = nil, stream: Int? = nil,
        generator: RandomGenerator = .xoshiro
    ) throws -> (Lesson, LessonResult) {
        let terminal = Terminal.current
        defer { terminal.clearProgress() }
        do {
            var (lesson, warnings) = try lessons.load(name)
            for warning in warnings { Terminal.note(warning) }
            if let cell {
                guard (1...max(1, lesson.executableCellCount)).contains(cell) else {
                    throw ValidationError("--cell \(cell) is out of range: lesson \(name) has \(lesson.executableCellCount) executable cells (accepted: 1…\(lesson.executableCellCount))")
                }
                lesson = try lesson.only(cell: cell)
            }
            if let stream { lesson = lesson.streams(from: stream) }
            let result = try lessons.runner.run(lesson, seed: seed, samples: samples, generator: generator) { done, total, id in
                terminal.progress("\(name) [\(done + 1)/\(total)] \(id)")
            }
            return (lesson, result)
        } catch let error as LessonError {
            terminal.clearProgress()
            Terminal.printError(error.description)
            throw ExitCode(2)
        } catch let error as CLIError {
            terminal.clearProgress()
            Terminal.printError(error.description)
            throw ExitCode(2)
        }
    }

    /// --samples replaces every Monte-Carlo sample size: 500…100000000. Below 500 the
    /// z-scores are measurably wider than N(0, 1) (`lessons calibrate --samples 100`: pooled
    /// var(z) = 1.18 ± 0.03): standard errors estimated from so few draws are too small.
    static func validate(samples: Int?) throws {
        if let samples, !(500...100_000_000).contains(samples) {
            throw ValidationError("--samples must be between 500 and 100000000 (got \(samples))")
        }
    }

    /// The lesson names NAME stands for (`all` or one lesson); an unknown name is a usage error.
    static func names(_ name: String, in lessons: LessonLibrary) throws -> [String] {
        do {
            return try lessons.resolve(name)
        } catch let error as CLIError {
            throw ValidationError(error.description)
        }
    }
}
