import ArgumentParser
import AtomicFiles
import Charts
import CheckCore
import Dispatch
import Foundation
import Notebook
import NotebookExport

extension LessonsCommand.Kernel {
    /// `lessons kernel cell`: one cell of the kernel's language, read with the grammar
    /// `lessons run NOTEBOOK.ipynb` reads (`KernelCell`) and run as the Jupyter kernel runs it.
    /// The kernel (python/lessons_kernel) keeps only the state between cells and sends outputs.
    struct Cell: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read one cell of the kernel's language on standard input and run it (for the Jupyter kernel).",
            discussion: """
                The kernel's state comes in as options and goes out, after the cell's magics, as the first \
                line of standard output: JSON {"seed", "samples", "timeout", "magics", "kind", "arguments"}, \
                where kind is check, plot, command (its words in "arguments", for the kernel to run) or none. \
                A check or plot cell is then run and written to --out as a one-cell notebook with the outputs \
                the kernel sends, as `lessons export --format ipynb` writes them. A cell is untrusted input: \
                it may ask for at most \(samplesCap) samples. Exit status: 0 done, 1 a check failed, 2 the cell \
                is malformed ("line N: …" on stderr, N counted in the cell), 3 a figure cannot be drawn, 4 \
                --out cannot be written, 124 the cell ran longer than its time limit.
                """)

        /// The largest sample size a cell may ask for (`%samples`, or a check's `samples:`);
        /// `lessons run` in a terminal takes up to 100,000,000.
        static let samplesCap = 10_000_000

        @Option(help: "The seed of the cell's random streams, unless the cell sets %seed.", transform: seedArgument)
        var seed: UInt64 = 1

        @Option(help: "Replace every Monte-Carlo sample size (500…\(samplesCap)), unless the cell sets %samples.")
        var samples: Int?

        @Option(help: "Seconds the cell may run (\(KernelCell.timeoutText)), unless the cell sets %timeout.")
        var timeout: Double = KernelCell.defaultTimeout

        @Option(help: "The one-cell notebook written for a check or plot cell.")
        var out: String

        func validate() throws {
            if let samples, !(500...Self.samplesCap).contains(samples) {
                throw ValidationError("--samples must be between 500 and \(Self.samplesCap) (got \(samples))")
            }
            guard KernelCell.timeoutRange.contains(timeout) else { throw ValidationError("--timeout must be \(KernelCell.timeoutText) seconds (got \(timeout))") }
            guard out.hasSuffix(".ipynb") else { throw ValidationError("--out names the notebook to write, NAME.ipynb (got \(out))") }
        }

        func run() throws {
            let source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let cell = try malformedIsExit2 { try KernelCell.parse(source, file: "cell", samplesCap: Self.samplesCap) }
            let seed = cell.seed ?? self.seed
            let samples = cell.samplesWritten == nil ? self.samples : cell.samples
            let timeout = cell.timeout ?? self.timeout
            try reply(cell, seed: seed, samples: samples, timeout: timeout)
            guard let lesson = cell.lesson(file: "cell") else { return }

            // The limit holds from here: a cell that runs longer stops the process. `_exit`, not
            // `exit`: exit's handlers (OpenBLAS frees its buffers) would run under the main
            // thread, which may be inside OpenBLAS at that moment.
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                Terminal.printError(KernelCell.timeLimitMessage(timeout))
                _exit(124)
            }
            let runner = LessonRunner(registry: CheckRegistry(LessonLibrary.allChecks), figures: FigureLibrary.names, samplesCap: Self.samplesCap)
            let result = try malformedIsExit2 { try runner.run(lesson, seed: seed, samples: samples) }
            var figures: [String: RenderedFigure] = [:]
            for plot in lesson.plots {
                do {
                    figures[plot.name] = try LessonExport.figure(plot.name, seed: seed)
                } catch let error as ChartError {
                    Terminal.printError("figure \(plot.name): \(error.description)")
                    throw ExitCode(3)
                }
            }
            let executed = try ExecutedLesson(lesson: lesson, result: result, figures: figures, samples: samples)
            do {
                try AtomicFile.write(Data(try JupyterExport.render(executed).utf8), to: URL(fileURLWithPath: out))
            } catch let error as UnwritableFile {
                Terminal.printError(error.description)
                throw ExitCode(4)
            }
            if result.failed > 0 { throw ExitCode(1) }
        }

        /// The state after the cell's magics and what the cell is, one JSON line, sent before
        /// any work so that the kernel has it even when the cell is stopped.
        func reply(_ cell: KernelCell, seed: UInt64, samples: Int?, timeout: Double) throws {
            var object: [String: Any] = ["seed": seed, "samples": samples.map { $0 as Any } ?? NSNull(), "timeout": timeout, "magics": cell.magics]
            switch cell.body {
            case .check: object["kind"] = "check"
            case .plot: object["kind"] = "plot"
            case .command(let arguments, _):
                object["kind"] = "command"
                object["arguments"] = arguments
            case .empty: object["kind"] = "none"
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }

        /// Runs `body`; a malformed cell is reported as "line N: …" (N counted in the cell) and exits 2.
        func malformedIsExit2<T>(_ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch let error as LessonError {
                Terminal.printError("line \(error.line): \(error.message)")
                throw ExitCode(2)
            }
        }
    }
}
