import Foundation

/// One code cell of the `lessons` kernel's language: the one grammar that the Jupyter kernel
/// (through `lessons kernel cell`) and `lessons run NOTEBOOK.ipynb` both read.
///
///     %seed N | %stream K | %samples N | %samples default | %timeout SECONDS
///     check ID            then the check's YAML parameters, one `name: value` a line
///     plot NAME           alone
///     calc … | verify … | run … | checks …     (a command; `lessons` before it is allowed)
///
/// The magics come first, one a line, blank lines among them allowed, a space or a tab
/// between name and value; whole numbers are digits only. `%stream` belongs above a check.
/// A command's words are split as a POSIX shell splits them (quotes, backslashes).
public struct KernelCell: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        /// `check ID` on line `line` (its YAML follows it, as in a lesson's fence).
        case check(id: String, yaml: String, line: Int)
        case plot(name: String, line: Int)
        /// The command's words, without a leading `lessons`; its first word is one of `commands`.
        case command(arguments: [String], line: Int)
        case empty
    }

    /// The commands a cell may run: they read, compute and print, and never write files, so a
    /// notebook cell (untrusted input) cannot overwrite anything.
    public static let commands = ["calc", "verify", "run", "checks"]

    /// The seconds a cell may run: `%timeout`'s range, and `lessons kernel cell --timeout`'s.
    public static let timeoutRange: ClosedRange<Double> = 1...3600

    /// `timeoutRange` as the messages write it, "1…3600".
    public static var timeoutText: String { "\(Int(timeoutRange.lowerBound))…\(Int(timeoutRange.upperBound))" }

    /// A cell's time limit, in seconds, until a `%timeout` sets another.
    public static let defaultTimeout: Double = 120

    /// What a cell stopped at its time limit is told, with `{seconds}` for the limit: what
    /// happened, and the two ways out. The kernel fills it in for a command cell, which it
    /// stops itself (`lessons kernel language` hands it over).
    public static var timeLimitTemplate: String {
        "the cell ran longer than {seconds} s and was stopped; use fewer samples, "
            + "or raise the limit with %timeout SECONDS (at most \(Int(timeoutRange.upperBound)))"
    }

    /// `timeLimitTemplate` for a limit of `seconds` (30 s is written 30, 2.5 s 2.5).
    public static func timeLimitMessage(_ seconds: Double) -> String {
        let written = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        return timeLimitTemplate.replacingOccurrences(of: "{seconds}", with: written)
    }

    /// The magics, each with the placeholder of its value (`magic(_:file:line:samplesCap:)` reads them).
    static let magicSyntax: [(name: String, value: String)] = [("seed", "N"), ("stream", "K"), ("samples", "N"), ("timeout", "SECONDS")]

    /// The magics' names, in the order the messages list them.
    public static var magicNames: [String] { magicSyntax.map(\.name) }

    /// The magics as the error messages list them: "%seed N, %stream K, …".
    static var magicsSyntax: String { magicSyntax.map { "%\($0.name) \($0.value)" }.joined(separator: ", ") }

    public var seed: UInt64?
    public var seedLine = 1
    /// `%samples`' argument (the size in digits, or "default"), nil when the cell has none.
    public var samplesWritten: String?
    public var samplesLine = 1
    public var stream: Int?
    public var streamLine = 1
    public var timeout: Double?
    /// The names of the magics the cell sets, in order (e.g. ["seed", "samples"]).
    public var magics: [String] = []
    public var body = Body.empty

    public init() {}

    /// The `%samples` value: a size, or nil for `default` (the checks' own sizes) or none.
    public var samples: Int? { samplesWritten.flatMap { Int($0) } }

    /// Reads `source`; errors are `LessonError`s at `file` and the cell's 1-based line.
    /// `samplesCap` is the largest `%samples` accepted (the kernel caps a cell, which is
    /// untrusted input, below what the terminal accepts).
    public static func parse(_ source: String, file: String, samplesCap: Int = 100_000_000) throws -> KernelCell {
        var cell = KernelCell()
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count, lines[index].trimmingSpaces.isEmpty || lines[index].trimmingSpaces.hasPrefix("%") {
            let text = lines[index].trimmingSpaces
            if !text.isEmpty { try cell.magic(text, file: file, line: index + 1, samplesCap: samplesCap) }
            index += 1
        }
        guard index < lines.count else {
            if cell.stream != nil { throw Self.streamOutsideCheck(file: file, line: cell.streamLine) }
            return cell
        }
        let head = lines[index].trimmingSpaces
        let words = head.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch words.first {
        case "check":
            guard words.count == 2, LessonParser.isCheckID(words[1]) else {
                throw LessonError(file: file, line: index + 1, "a check cell starts with `check ID`, one id such as gaussian.sum (got \"\(head)\")")
            }
            cell.body = .check(id: words[1], yaml: lines[(index + 1)...].joined(separator: "\n"), line: index + 1)
        case "plot":
            guard words.count == 2, LessonParser.isCheckID(words[1]) else {
                throw LessonError(file: file, line: index + 1, "a plot cell is `plot NAME`, one figure name such as schedules-alphabar (got \"\(head)\")")
            }
            guard lines[(index + 1)...].allSatisfy({ $0.trimmingSpaces.isEmpty }) else {
                throw LessonError(file: file, line: index + 2, "a plot cell takes no parameters (its figure is drawn from the seed): remove the lines after `plot \(words[1])`")
            }
            cell.body = .plot(name: words[1], line: index + 1)
        default:
            let text = lines[index...].map(\.trimmingSpaces).filter { !$0.isEmpty }.joined(separator: " ")
            var arguments: [String]
            do {
                arguments = try ShellWords.split(text)
            } catch let error as ShellWords.Unbalanced {
                throw LessonError(file: file, line: index + 1, "cannot split the command into words (\(error.description))")
            }
            if arguments.first == "lessons" { arguments.removeFirst() }
            guard let command = arguments.first, Self.commands.contains(command) else {
                throw LessonError(file: file, line: index + 1, "\"\(head)\" is not a cell this kernel runs; accepted: `check ID` with YAML parameters, `plot NAME`, "
                                  + "one of the commands \(Self.commands.joined(separator: ", ")), or the magics \(Self.magicsSyntax)")
            }
            cell.body = .command(arguments: arguments, line: index + 1)
        }
        if cell.stream != nil {
            guard case .check = cell.body else { throw Self.streamOutsideCheck(file: file, line: cell.streamLine) }
        }
        return cell
    }

    /// The cell as a lesson block (a check drawing from its `%stream`, 0 when not given);
    /// nil for a command or a cell of magics only.
    public func block(file: String) -> LessonBlock? {
        switch body {
        case .check(let id, let yaml, let line): .check(CheckCell(id: id, yaml: yaml, file: file, line: line, index: stream ?? 0))
        case .plot(let name, let line): .plot(PlotCell(name: name, file: file, line: line))
        case .command, .empty: nil
        }
    }

    /// The cell as a one-cell lesson named `file` (what the kernel runs); nil for a command
    /// or a cell of magics only.
    public func lesson(file: String) -> Lesson? {
        block(file: file).map { Lesson(name: file, file: file, title: "notebook cell", summary: "one cell run by the lessons kernel", blocks: [$0]) }
    }

    static func streamOutsideCheck(file: String, line: Int) -> LessonError {
        LessonError(file: file, line: line, "%stream sets the random stream of a check cell: put it above `check ID`")
    }

    mutating func magic(_ text: String, file: String, line: Int, samplesCap: Int) throws {
        // Spaces or tabs between the name and its value.
        let words = text.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let name = words.first ?? ""
        let value = words.count == 2 ? words[1] : nil
        // A whole number is written in digits only (no sign).
        let digits = value.flatMap { $0.allSatisfy { $0.isASCII && $0.isNumber } ? $0 : nil }
        switch name {
        case "seed":
            guard let digits, let seed = UInt64(digits) else {
                throw LessonError(file: file, line: line, "%seed takes a whole number in 0…18446744073709551615 (got \"\(text)\")")
            }
            self.seed = seed
            seedLine = line
        case "stream":
            guard let digits, let stream = Int(digits) else {
                throw LessonError(file: file, line: line, "%stream takes a whole number 0 or more: the random stream of this check (got \"\(text)\")")
            }
            self.stream = stream
            streamLine = line
        case "samples":
            if value == "default" {
                samplesWritten = "default"
            } else {
                guard let digits, let samples = Int(digits), (500...samplesCap).contains(samples) else {
                    throw LessonError(file: file, line: line, "%samples takes a sample size in 500…\(samplesCap) that replaces every Monte-Carlo "
                                      + "sample size of the following cells, or `default` (got \"\(text)\")")
                }
                samplesWritten = String(samples)
            }
            samplesLine = line
        case "timeout":
            guard let value, let seconds = Double(value), Self.timeoutRange.contains(seconds) else {
                throw LessonError(file: file, line: line, "%timeout takes seconds in \(Self.timeoutText) (got \"\(text)\")")
            }
            timeout = seconds
        default:
            throw LessonError(file: file, line: line, "unknown magic \"\(text)\"; accepted: \(Self.magicsSyntax)")
        }
        magics.append(name)
    }
}

/// A command line split into words as a POSIX shell does, without expanding anything: blanks
/// separate words; '…' keeps everything literally; "…" keeps everything but \" and \\, which
/// stand for " and \; outside quotes a backslash keeps the next character literally.
public enum ShellWords {
    /// A quote left open, or a backslash with nothing after it.
    public struct Unbalanced: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public static func split(_ text: String) throws -> [String] {
        var words: [String] = []
        var word = "", inWord = false
        var characters = text.makeIterator()
        while let c = characters.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "'":
                inWord = true
                while true {
                    guard let next = characters.next() else { throw Unbalanced(description: "no closing quotation") }
                    if next == "'" { break }
                    word.append(next)
                }
            case "\"":
                inWord = true
                while true {
                    guard let next = characters.next() else { throw Unbalanced(description: "no closing quotation") }
                    if next == "\"" { break }
                    if next == "\\" {
                        guard let escaped = characters.next() else { throw Unbalanced(description: "no closing quotation") }
                        if escaped != "\"" && escaped != "\\" { word.append("\\") }
                        word.append(escaped)
                    } else {
                        word.append(next)
                    }
                }
            case "\\":
                guard let escaped = characters.next() else { throw Unbalanced(description: "no escaped character after a backslash") }
                inWord = true
                word.append(escaped)
            default:
                inWord = true
                word.append(c)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
