import ArgumentParser
import AtomicFiles
import Charts
import CheckCore
import Foundation
import Notebook
import NotebookExport

extension LessonsCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write executed lessons as Markdown, Jupyter notebooks, HTML pages or JSON.",
            discussion: """
                Formats: md (GitHub Markdown, math kept as $…$, each check followed by its table, figures as PNG \
                files in figures/ beside it), ipynb (nbformat 4.5 for the `lessons` Jupyter kernel: prose as \
                markdown cells, one code cell per check (`check ID` and its YAML) or figure (`plot NAME`), with \
                the outputs the kernel gives, so Restart and run all reproduces them), html (a page that opens \
                offline, its math rendered by KaTeX from Debian's libjs-katex, copied into katex/ beside it, or \
                as Unicode text when KaTeX is missing; figures as inline SVG), json (the whole executed lesson). \
                Several formats (--format md,ipynb, or --format repeated) are written from one run of each lesson. \
                --out is a folder (default exports/), or a file path ending in the format's extension when \
                exporting one lesson in one format. The same seed writes byte-identical files. Every file is \
                written atomically. Exit status: 0 when every check passed, 1 when a check failed (the files are \
                still written), 2 when a lesson file is malformed, 3 when a figure cannot be drawn, 4 when a file \
                cannot be written.
                """)

        enum Format: String, CaseIterable, ExpressibleByArgument {
            case md, ipynb, html, json
        }

        /// One `--format` value: a format, or several separated by commas.
        struct FormatList: ExpressibleByArgument {
            let formats: [Format]

            init?(argument: String) {
                let formats = argument.split(separator: ",", omittingEmptySubsequences: false).map { Format(rawValue: String($0)) }
                guard !formats.isEmpty, formats.allSatisfy({ $0 != nil }) else { return nil }
                self.formats = formats.compactMap { $0 }
            }

            static var allValueStrings: [String] { Format.allCases.map(\.rawValue) }
        }

        @Argument(help: "A lesson name (see `lessons list`), `all`, the path of a lesson file ending in .md, or of a notebook in the kernel's language ending in .ipynb.", completion: Completions.lessons)
        var name: String

        @Option(name: .customLong("format"),
                help: ArgumentHelp("The format: \(Format.allCases.map(\.rawValue).joined(separator: ", ")) (default: md); several as md,ipynb or with --format repeated.",
                                   valueName: "format"))
        var formatLists: [FormatList] = []

        /// The formats asked for, each once, in the order given (Markdown when none).
        var formats: [Format] {
            let given = formatLists.flatMap(\.formats)
            return given.isEmpty ? [.md] : given.enumerated().filter { !given[..<$0.offset].contains($0.element) }.map(\.element)
        }

        @Option(help: "A folder, or a file NAME.FORMAT when exporting one lesson in one format (default: exports).")
        var out = "exports"

        @Option(help: "The seed of every random stream (as for `lessons run`).", transform: seedArgument)
        var seed: UInt64?

        @Option(help: "Number the checks' random streams from K (default: as in the lesson, its first check drawing from stream 0; a notebook's check from its %stream): a check taken out of a lesson, where it was the (K+1)-th, gives the lesson's numbers again.")
        var stream: Int?

        @Option(help: "Replace every Monte-Carlo sample size (500…100000000), as for `lessons run`.")
        var samples: Int?

        @OptionGroup var library: LibraryOptions

        func validate() throws {
            try LessonExecution.validate(samples: samples)
            if let stream, stream < 0 { throw ValidationError("--stream must be 0 or more (got \(stream))") }
            guard !out.isEmpty else { throw ValidationError("--out needs a folder or file path (got an empty string)") }
            let formats = self.formats
            if name == "all", let format = formats.first(where: { out.hasSuffix(".\($0.rawValue)") }) {
                throw ValidationError("--out \(out) names one .\(format.rawValue) file, but all lessons need a folder")
            }
            let suffix = URL(fileURLWithPath: out).pathExtension.lowercased()
            if let other = Format(rawValue: suffix == "htm" ? "html" : suffix) {
                if formats.count > 1 {
                    throw ValidationError("--out \(out) names one file, but \(formats.count) formats (\(formats.map(\.rawValue).joined(separator: ", "))) need a folder")
                }
                if let format = formats.first, other != format {
                    throw ValidationError("--out \(out) ends in .\(suffix) but the format is \(format.rawValue): name the file NAME.\(format.rawValue), or pass --format \(other.rawValue)")
                }
            }
        }

        func run() throws {
            let (lessons, name) = try library.lessons(for: name)
            let names = try LessonExecution.names(name, in: lessons)
            let settings = try lessons.notebookSettings()
            let seed = self.seed ?? settings.seed ?? 1
            let samples = self.samples ?? settings.samples
            let formats = self.formats
            for lessonName in names {
                for format in formats {
                    try OutputLocation.requireWritable(file: destination(lessonName, format), option: "--out", exitCode: 4)
                }
            }
            var failed = false
            var figures: [String: RenderedFigure] = [:]
            // KaTeX is read once, and its files written once however many pages share them.
            let katex = formats.contains(.html) ? KaTeXAssets.load() : nil
            var written: Set<URL> = []
            for lessonName in names {
                let (lesson, result) = try LessonExecution.run(lessonName, in: lessons, seed: seed, samples: samples, stream: stream)
                for plot in lesson.plots where figures[plot.name] == nil {
                    figures[plot.name] = try draw(plot.name, seed: seed)
                }
                let executed = try ExecutedLesson(lesson: lesson, result: result, figures: figures, samples: samples)
                for format in formats { try write(executed, as: format, katex: katex, skipping: &written) }
                Terminal.note("\(lessonName): \(executed.tally)")
                failed = failed || result.failed > 0
            }
            if failed { throw ExitCode(1) }
        }

        /// Where the lesson's file in `format` goes: --out itself when it names a file, else inside it.
        func destination(_ lesson: String, _ format: Format) -> URL {
            out.hasSuffix(".\(format.rawValue)")
                ? URL(fileURLWithPath: out)
                : URL(fileURLWithPath: out).appendingPathComponent("\(lesson).\(format.rawValue)")
        }

        /// Writes the lesson's files; a file beside the page that this run already wrote
        /// (KaTeX's, shared by every page in the folder) is in `written` and not written again.
        func write(_ executed: ExecutedLesson, as format: Format, katex: Result<KaTeXAssets, KaTeXAssets.Missing>?,
                   skipping written: inout Set<URL>) throws {
            do {
                let page = destination(executed.lesson.name, format)
                let files = try LessonExport.files(executed, format: format, file: page, katex: katex)
                for (url, data) in files where url == page || !written.contains(url) {
                    try AtomicFile.write(data, to: url)
                    if url != page { written.insert(url) }
                }
                if let page = files.last?.0 {
                    let beside = files.count > 2 ? " (and \(files.count - 1) files beside it)" : files.count == 2 ? " (and 1 file beside it)" : ""
                    Terminal.note("wrote \(LessonLibrary.displayPath(page))\(beside)")
                }
            } catch let error as UnwritableFile {
                Terminal.printError(error.description)
                throw ExitCode(4)
            }
        }

        func draw(_ name: String, seed: UInt64) throws -> RenderedFigure {
            do {
                return try LessonExport.figure(name, seed: seed)
            } catch let error as ChartError {
                Terminal.printError("figure \(name): \(error.description)")
                throw ExitCode(3)
            }
        }
    }
}

/// What `lessons export` writes, apart from writing it.
enum LessonExport {
    /// The files of one executed lesson in `format`, the lesson's own at `file`; Markdown
    /// adds each figure's PNG in `figures/` beside it, HTML the KaTeX it renders its math
    /// with in `katex/` (when Debian's libjs-katex is installed; else it says so on stderr).
    /// `katex` is `KaTeXAssets.load()`'s result, read once by the caller (read here when nil).
    static func files(_ executed: ExecutedLesson, format: LessonsCommand.Export.Format, file: URL,
                      katex: Result<KaTeXAssets, KaTeXAssets.Missing>? = nil) throws -> [(URL, Data)] {
        switch format {
        case .md:
            let folder = file.deletingLastPathComponent().appendingPathComponent("figures")
            var files: [(URL, Data)] = []
            for case .plot(_, let cell, let figure) in executed.items {
                files.append((folder.appendingPathComponent("\(cell.name).png"), figure.png))
            }
            return files + [(file, Data(MarkdownExport.render(executed) { "figures/\($0).png" }.utf8))]
        case .ipynb:
            return [(file, Data(try JupyterExport.render(executed).utf8))]
        case .html:
            switch katex ?? KaTeXAssets.load() {
            case .success(let katex):
                let folder = file.deletingLastPathComponent().appendingPathComponent(KaTeXAssets.folder)
                return katex.files.map { (folder.appendingPathComponent($0.name), $0.data) }
                    + [(file, Data(HTMLExport.render(executed, katex: KaTeXAssets.folder).utf8))]
            case .failure(let missing):
                Terminal.note(missing.description)
                return [(file, Data(HTMLExport.render(executed, katex: nil).utf8))]
            }
        case .json:
            return [(file, Data(try NotebookJSONExport.render(executed).utf8))]
        }
    }

    /// A figure as SVG, PNG and a 100-column text drawing (fixed, so exports do not
    /// depend on the terminal).
    static func figure(_ name: String, seed: UInt64) throws -> RenderedFigure {
        let figure = try FigureLibrary.figure(name, seed: seed)
        return RenderedFigure(name: name, svg: try figure.svg(), png: try figure.png(),
                              text: try FigureLibrary.textDrawing(figure, width: 100))
    }
}
