import Foundation

/// Long text for a terminal goes through a pager, as `git` does: when stdout is a terminal
/// and the text is taller than it, `$LESSONS_PAGER`, else `$PAGER`, else `less` (with
/// `LESS=FRX` unless LESS is set: quit when it fits, keep colours, leave the text on the
/// screen). An empty pager or `cat` means none; a pager that cannot start means the text is
/// printed as it is.
enum Pager {
    /// The pager command, or nil for none (not a terminal, short text, or switched off).
    static func command(lines: Int, environment: [String: String] = ProcessInfo.processInfo.environment,
                        stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) == 1, height: Int = terminalHeight()) -> String? {
        guard stdoutIsTerminal, lines >= height else { return nil }
        let chosen = environment["LESSONS_PAGER"] ?? environment["PAGER"] ?? "less"
        let trimmed = chosen.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed == "cat" ? nil : trimmed
    }

    /// Prints `text` through the pager when `command` names one.
    static func print(_ text: String, noPager: Bool = false) {
        let lines = text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        guard !noPager, let command = command(lines: lines) else {
            Swift.print(text, terminator: "")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        if environment["LESS"] == nil { environment["LESS"] = "FRX" }
        process.environment = environment
        let pipe = Pipe()
        process.standardInput = pipe
        do {
            try process.run()
        } catch {
            Swift.print(text, terminator: "")
            return
        }
        // A pager quit early (q in less) closes the pipe: the rest of the text is not wanted.
        signal(SIGPIPE, SIG_IGN)
        try? pipe.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try? pipe.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The terminal's rows (stdout's), or 24 when it cannot be asked.
    static func terminalHeight() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return 24
    }
}
