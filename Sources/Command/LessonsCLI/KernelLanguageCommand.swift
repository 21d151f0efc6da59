import ArgumentParser
import Foundation
import Notebook

extension LessonsCommand.Kernel {
    /// `lessons kernel language`: what the Jupyter kernel needs to know of its cells' grammar
    /// (`KernelCell`), so that the kernel (python/lessons_kernel) repeats none of it.
    struct Language: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the kernel language's commands, magics, figures and time limits as JSON (for the Jupyter kernel).",
            discussion: """
                One line, keys sorted: {"commands", "figures", "magics", "samplesCap", "timeLimitMessage", \
                "timeout", "timeoutRange"}: the commands a cell may run, the figures a `plot NAME` cell draws, \
                the magics' names, the largest sample size a cell may ask for, what a cell stopped at its \
                time limit is told ({seconds} for the limit), a cell's time limit in seconds until %timeout \
                sets another, and the range %timeout accepts. The kernel completes a cell's words from them, \
                bounds its wait for a cell by the range and tells a command cell it stopped the message.
                """)

        func run() throws {
            let object: [String: Any] = [
                "commands": KernelCell.commands,
                "figures": FigureLibrary.names,
                "magics": KernelCell.magicNames,
                "samplesCap": Cell.samplesCap,
                "timeLimitMessage": KernelCell.timeLimitTemplate,
                "timeout": KernelCell.defaultTimeout,
                "timeoutRange": [KernelCell.timeoutRange.lowerBound, KernelCell.timeoutRange.upperBound],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}
