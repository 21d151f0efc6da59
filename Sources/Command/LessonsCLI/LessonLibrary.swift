import ArgumentParser
import CheckCore
import Claims
import ELBO
import ELBOChecks
import FlowMatchingChecks
import ForwardProcess
import ForwardProcessChecks
import Foundation
import Gaussian
import GaussianChecks
import LatentDiffusion
import LatentDiffusionChecks
import Notebook
import NotebookExport
import Posterior
import PosteriorChecks
import ProjectFolders
import ScoreODEChecks
import ToyDiffusion
import ToyDiffusionChecks

/// The lessons on disk and the registry of every check they may call.
public struct LessonLibrary: Sendable {
    public let directory: URL
    public let registry: CheckRegistry
    /// A notebook in the kernel's language read as the library's one lesson
    /// (`lessons run ./my-notebook.ipynb`).
    public let notebook: URL?
    /// The notebook, read and parsed once when the library is made.
    private let parsedNotebook: Result<NotebookLesson, any Error>?

    /// Every module's checks, each counted once: what `lessons audit` runs.
    public static let auditedChecks: [CheckDefinition] =
        GaussianChecks.all + ForwardChecks.all + PosteriorChecks.all + ScoreODEChecks.all + FlowMatchingChecks.all + ELBOChecks.all + ToyChecks.all + LatentChecks.all + ClaimChecks.own

    /// Every check a lesson may call, including the claim checks that wrap a module check.
    public static let allChecks: [CheckDefinition] = auditedChecks + ClaimChecks.all.filter { claim in
        !ClaimChecks.own.contains { $0.id == claim.id }
    }

    public init(directory: URL) {
        self.directory = directory
        self.registry = CheckRegistry(Self.allChecks)
        self.notebook = nil
        self.parsedNotebook = nil
    }

    /// The library of one notebook file.
    public init(notebook: URL) {
        self.directory = notebook.deletingLastPathComponent()
        self.registry = CheckRegistry(Self.allChecks)
        self.notebook = notebook
        self.parsedNotebook = Result { try Self.parse(notebook: notebook) }
    }

    /// A runner that knows every check and every figure.
    public var runner: LessonRunner { LessonRunner(registry: registry, figures: FigureLibrary.names) }

    /// Finds `Lessons/`: the explicit path, else $LESSONS_DIR, else the nearest `Lessons/`
    /// above the working directory or above the executable.
    public static func locate(explicit: String?) throws -> LessonLibrary {
        let fileManager = FileManager.default
        func isDirectory(_ url: URL) -> Bool {
            var directory: ObjCBool = false
            return fileManager.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
        }
        if let explicit {
            guard !explicit.isEmpty else { throw CLIError.usage("--lessons-dir needs a path to a folder of lesson files (got an empty string)") }
            let url = URL(fileURLWithPath: explicit)
            guard isDirectory(url) else { throw CLIError.usage("--lessons-dir \(explicit) is not a directory") }
            return LessonLibrary(directory: url)
        }
        if let environment = ProcessInfo.processInfo.environment["LESSONS_DIR"], !environment.isEmpty {
            let url = URL(fileURLWithPath: environment)
            guard isDirectory(url) else { throw CLIError.usage("LESSONS_DIR=\(environment) is not a directory") }
            return LessonLibrary(directory: url)
        }
        if let found = ProjectFolders.nearest(named: "Lessons") { return LessonLibrary(directory: found) }
        throw CLIError.usage("cannot find the Lessons/ folder: run inside the project checkout, or pass --lessons-dir PATH (or set LESSONS_DIR)")
    }

    /// A path as the user would type it: relative to the working directory when inside it.
    static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path + "/"
        return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
    }

    /// The lesson names (file names without `.md`), sorted.
    public func names() throws -> [String] {
        if let notebook { return [notebook.deletingPathExtension().lastPathComponent] }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return files.filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }.sorted()
    }

    /// The lessons a user's NAME stands for: every lesson for `all`, else NAME itself if it
    /// exists; an unknown name lists the lessons there are.
    public func resolve(_ name: String) throws -> [String] {
        let available = try names()
        if name == "all" { return available }
        guard available.contains(name) else { throw Self.unknown(name, available: available) }
        return [name]
    }

    static func unknown(_ name: String, available: [String]) -> CLIError {
        .usage("unknown lesson '\(name)' (available: \(available.joined(separator: ", ")), or all)")
    }

    /// The text of one lesson file.
    public func text(_ name: String) throws -> String {
        let available = try names()
        guard available.contains(name) else { throw Self.unknown(name, available: available) }
        let url = directory.appendingPathComponent(name + ".md")
        guard let text = String(data: try Data(contentsOf: url), encoding: .utf8) else {
            throw CLIError.lesson("\(url.path): not UTF-8 text")
        }
        return text
    }

    /// Reads and parses one lesson, with the warnings on formulas the terminal cannot show
    /// faithfully (`MathLint`) at their file lines; none for a notebook, whose cells carry no
    /// file lines. The file is read once for both.
    public func load(_ name: String) throws -> (lesson: Lesson, mathWarnings: [String]) {
        if notebook != nil { return (try notebookLesson().lesson, []) }
        let text = try text(name), file = Self.displayPath(directory.appendingPathComponent(name + ".md"))
        return (try LessonParser.parse(text, name: name, file: file), MathLint.warnings(text, file: file))
    }

    /// Reads and parses one lesson.
    public func lesson(_ name: String) throws -> Lesson {
        if notebook != nil { return try notebookLesson().lesson }
        return try LessonParser.parse(text(name), name: name, file: Self.displayPath(directory.appendingPathComponent(name + ".md")))
    }
}

extension LessonLibrary {
    /// The notebook read as a lesson, with the seed and sample size its magics set.
    public func notebookLesson() throws -> NotebookLesson {
        guard let parsedNotebook else { throw CLIError.usage("not a notebook library") }
        return try parsedNotebook.get()
    }

    private static func parse(notebook: URL) throws -> NotebookLesson {
        let data: Data
        do {
            data = try Data(contentsOf: notebook)
        } catch {
            throw CLIError.file("cannot read \(Self.displayPath(notebook)): \(error.localizedDescription)")
        }
        return try NotebookLesson.parse(data, name: notebook.deletingPathExtension().lastPathComponent, file: Self.displayPath(notebook))
    }

    /// The seed and sample size a notebook's magics set (none for a lesson folder); the
    /// code cells that are not lesson cells are named on stderr, as they are not run.
    func notebookSettings() throws -> (seed: UInt64?, samples: Int?) {
        guard notebook != nil else { return (nil, nil) }
        do {
            let parsed = try notebookLesson()
            for skipped in parsed.skipped { Terminal.note("skipped \(skipped)") }
            return (parsed.seed, parsed.samples)
        } catch let error as LessonError {
            Terminal.printError(error.description)
            throw ExitCode(2)
        }
    }
}

/// Errors the command reports without a stack trace.
public enum CLIError: Error, CustomStringConvertible {
    /// The user asked for something that does not exist or is out of range (exit 64).
    case usage(String)
    /// A lesson file is malformed (exit 2).
    case lesson(String)
    /// A checkpoint or data file is missing, corrupt or cannot be written (exit 4).
    case file(String)

    public var description: String {
        switch self {
        case .usage(let message), .lesson(let message), .file(let message): return message
        }
    }
}
