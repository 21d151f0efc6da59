import ArgumentParser
import Charts
import Foundation

extension LessonsCommand {
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw figures with gnuplot: SVG and PNG files, and a text drawing in the terminal.",
            discussion: """
                Groups: schedules (β, ᾱ, √ᾱ with √(1−ᾱ), log SNR of every schedule), forward (the swiss roll \
                diffused to t = 0, 10, 50, 100, 250, 500, 1000), swissroll (the trained toy model), samplers (each \
                ODE solver's error against its steps, log–log), all. Files are written atomically as \
                DIR/NAME.svg and DIR/NAME.png. Exit status 3 when a figure cannot be drawn or written.
                """)

        @Argument(help: "What to draw: \(FigureLibrary.Group.allCases.map(\.rawValue).joined(separator: ", ")) or all.")
        var group: String

        @Option(help: "The folder for the SVG and PNG files (created if missing).")
        var out = "Plots"

        @Option(help: "The seed of the random data in figures (the swiss roll).", transform: seedArgument)
        var seed: UInt64 = 1

        @Flag(help: "Write the files only; print no text drawings.")
        var quiet = false

        func validate() throws {
            guard group == "all" || FigureLibrary.Group(rawValue: group) != nil else {
                let accepted = FigureLibrary.Group.allCases.map(\.rawValue) + ["all"]
                throw ValidationError("unknown figure group '\(group)' (accepted: \(accepted.joined(separator: ", ")))")
            }
            guard !out.isEmpty else { throw ValidationError("--out needs a folder path (got an empty string)") }
        }

        func run() throws {
            let groups = group == "all" ? FigureLibrary.Group.allCases : FigureLibrary.Group(rawValue: group).map { [$0] } ?? []
            let names = groups.flatMap { FigureLibrary.groups[$0] ?? [] }
            let folder = URL(fileURLWithPath: out)
            let terminal = Terminal.current
            for name in names {
                do {
                    let figure = try FigureLibrary.figure(name, seed: seed)
                    for format in [ImageFormat.svg, .png] {
                        let file = folder.appendingPathComponent(name).appendingPathExtension(format.fileExtension)
                        try figure.write(to: file, format: format)
                        FileHandle.standardError.write(Data("wrote \(file.path)\n".utf8))
                    }
                    if !quiet { print(try FigureLibrary.textDrawing(figure, width: terminal.width)) }
                } catch let error as ChartError {
                    Terminal.printError("figure \(name): \(error.description)")
                    throw ExitCode(3)
                }
            }
        }
    }
}
