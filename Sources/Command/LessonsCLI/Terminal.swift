import Foundation
import NotebookExport

/// What the process's terminal allows: its width, colour, and progress on stderr.
struct Terminal: Sendable {
    let width: Int
    let color: Bool
    let progressVisible: Bool

    /// Colour only when stdout is a TTY, NO_COLOR is unset and TERM is not "dumb";
    /// progress only when stderr is a TTY.
    static var current: Terminal {
        let environment = ProcessInfo.processInfo.environment
        let stdoutTTY = isatty(STDOUT_FILENO) == 1
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let color = stdoutTTY && !noColor && environment["TERM"] != "dumb"
        var width = Int(environment["COLUMNS"] ?? "") ?? 0
        if width <= 0 && stdoutTTY {
            var size = winsize()
            if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 { width = Int(size.ws_col) }
        }
        if width <= 0 { width = 88 }
        return Terminal(width: min(width, 100), color: color, progressVisible: isatty(STDERR_FILENO) == 1)
    }

    func progress(_ message: String) {
        guard progressVisible else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + message).utf8))
    }

    func clearProgress() {
        guard progressVisible else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// One JSON object on stdout, keys sorted (the `--json` output of the commands).
    /// Non-finite numbers as `JSONRenderer` writes them: null, with the reason in `nonFinite`.
    static func printJSON(_ value: some Encodable) throws {
        print(try JSONRenderer.encode(value, pretty: false))
    }

    /// A line of information on stderr (progress, what is happening), not an error.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// A problem that does not stop the command, on stderr.
    static func printWarning(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }
}
