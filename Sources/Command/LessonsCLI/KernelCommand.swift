import ArgumentParser
import Foundation
import ProjectFolders

extension LessonsCommand {
    /// `lessons kernel install`: registers the `lessons` Jupyter kernel for a Jupyter.
    struct Kernel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The `lessons` Jupyter kernel, whose cells are lesson cells (docs/notebook-kernel.md).",
            subcommands: [Install.self, Cell.self, Language.self])

        struct Install: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register the kernel with a Jupyter, running cells through this binary.",
                discussion: """
                    Runs PYTHON -m lessons_kernel.install (the project's python/ package, which \
                    scripts/setup installs in .venv; for another Python: pip install ./python ipykernel pyyaml). \
                    By default into the project's venv; --user for the current user's Jupyter; --prefix DIR \
                    for a Jupyter installed under DIR.
                    """)

            @Option(help: "The Python whose Jupyter gets the kernel (default: the project's .venv/bin/python, else python3).")
            var python: String?

            @Flag(help: "Install for the current user (~/.local/share/jupyter) instead of the Python's prefix.")
            var user = false

            @Option(help: "Install under this prefix (DIR/share/jupyter/kernels/lessons).")
            var prefix: String?

            func validate() throws {
                if user, prefix != nil { throw ValidationError("--user and --prefix choose two places; give one") }
                if let prefix, prefix.isEmpty { throw ValidationError("--prefix needs a folder") }
            }

            func run() throws {
                let binary = URL(fileURLWithPath: CommandLine.arguments.first ?? "lessons").resolvingSymlinksInPath().path
                let interpreter = python ?? ProjectFolders.nearest(named: ".venv").map { $0.appendingPathComponent("bin/python").path }
                    .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil } ?? "/usr/bin/env"
                var arguments = interpreter == "/usr/bin/env" && python == nil ? ["python3"] : []
                arguments += ["-m", "lessons_kernel.install", "--binary", binary]
                if user { arguments.append("--user") }
                if let prefix { arguments += ["--prefix", prefix] }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: interpreter)
                process.arguments = arguments
                do {
                    try process.run()
                } catch {
                    Terminal.printError("cannot run \(interpreter): \(error.localizedDescription); give --python PATH of a Python with the project's python/ package and ipykernel")
                    throw ExitCode(4)
                }
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    Terminal.printError("\(interpreter) -m lessons_kernel.install failed (exit \(process.terminationStatus)); "
                                        + "that Python needs the project's python/ package, ipykernel and pyyaml (scripts/setup installs them in .venv)")
                    throw ExitCode(4)
                }
            }
        }
    }
}
