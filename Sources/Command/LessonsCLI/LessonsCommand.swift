import ArgumentParser
import CheckCore
import Foundation
import Notebook
import NotebookExport

/// `lessons`: notebooks of diffusion-model math, every formula proven by numbers.
public struct LessonsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lessons",
        abstract: "Diffusion-model math as executable notebooks: every formula checked against sampling and quadrature.",
        discussion: """
            Exit status: 0 when every check passed, 1 when a check failed, 2 when a lesson file \
            is malformed, 3 when a figure cannot be drawn, 4 when a checkpoint, data or trace file cannot \
            be read or written, 5 when training diverged, 130 when training was interrupted \
            (checkpoint written), 64 for a usage error.
            """,
        version: LessonsCommand.version,
        subcommands: [List.self, Checks.self, Run.self, Plot.self, Calc.self, Export.self, ExportModel.self, Train.self, Sample.self, Generate.self, Eval.self, Verify.self, Forward.self, Audit.self, FalseAlarms.self, Calibrate.self, Bench.self, Doctor.self, Kernel.self])

    public init() {}

    /// What `lessons --version` prints: the tool's version, and the build when it is not an
    /// optimized one (a debug build's Monte-Carlo checks run about five times slower).
    static var version: String {
        var text = "lessons 1.2.0"
        #if DEBUG
        text += " (debug build)"
        #endif
        return text
    }
}

/// Options shared by the subcommands that read lessons.
struct LibraryOptions: ParsableArguments {
    @Option(name: .customLong("lessons-dir"), help: "The folder of lesson files (default: the nearest Lessons/).")
    var lessonsDirectory: String?

    /// The library and lesson name that NAME stands for. A NAME ending in `.md` is a lesson
    /// file anywhere (a learner's own lesson: `lessons run ./my-lesson.md`), read from its
    /// folder; one ending in `.ipynb` is a notebook in the kernel's language; any other NAME
    /// is a lesson of the project's `Lessons/` (or `all`).
    func lessons(for name: String) throws -> (library: LessonLibrary, name: String) {
        let notebook = name.hasSuffix(".ipynb")
        guard name.hasSuffix(".md") || notebook else { return (try library(), name) }
        let file = URL(fileURLWithPath: name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ValidationError("no \(notebook ? "notebook" : "lesson file") at \(name) (a NAME ending in .md or .ipynb is a path to a lesson file or a notebook; `lessons list` shows the project's lessons)")
        }
        let stem = file.deletingPathExtension().lastPathComponent
        return notebook ? (LessonLibrary(notebook: file), stem) : (LessonLibrary(directory: file.deletingLastPathComponent()), stem)
    }

    func library() throws -> LessonLibrary {
        do {
            return try LessonLibrary.locate(explicit: lessonsDirectory)
        } catch let error as CLIError {
            throw ValidationError(error.description)
        }
    }
}

extension LessonsCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the lessons, each with its summary wrapped to the terminal's width.")

        @OptionGroup var library: LibraryOptions

        func run() throws {
            let lessons = try library.library()
            let names = try lessons.names()
            let entries = names.map { name in
                do {
                    return (name: name, summary: try lessons.lesson(name).summary)
                } catch {
                    return (name: name, summary: "(unreadable: \(error))")
                }
            }
            print(TerminalRenderer(width: Terminal.current.width).lessonList(entries), terminator: "")
        }
    }
}
