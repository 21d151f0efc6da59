import CheckCore
import Foundation
import Notebook
import NotebookExport
import Stochastic

/// Property-based fuzzing of the lesson parser and cell binding: inputs are generated from
/// a seed corpus by byte-level mutations (flip, insert, delete, duplicate, splice, and
/// insertions of the format's own tokens). The property: parsing and binding either
/// succeed or throw a `LessonError` that names a line ≥ 1 and says something — never a
/// crash (a trap ends the process and the fuzz run with it), never another error type,
/// and never a slow input.
public struct LessonFuzzer: PropertyFuzzer, Sendable {
    public let corpus: [String]
    public let registry: CheckRegistry
    public let figures: [String]

    /// Tokens of the format worth inserting: fences, YAML shapes, LaTeX, numbers at the edges.
    static let tokens = [
        "```", "```check ", "```plot ", "```check gaussian.sum\n", "---\n", "title: ", "summary: ", ": ", "- ", "[", "]",
        "{", "}", "\n", "$", "$$", "\\frac{", "\\sqrt", "_{", "^{", "\\", "1e308", "-1e308", ".nan", ".inf", "0x1p-1074",
        "99999999999999999999", "-0", "ü", "✓", "\u{0}", "\t", "&anchor ", "*anchor", "!!binary ", "'", "\"", "#",
    ]

    public init(corpus: [String], registry: CheckRegistry, figures: [String]) {
        self.corpus = corpus
        self.registry = registry
        self.figures = figures
    }

    /// One outcome that breaks the property.
    public struct Finding: Sendable, CustomStringConvertible {
        public let input: String
        public let problem: String
        public var description: String { "\(problem) on input \(input.debugDescription.prefix(300))" }
    }

    /// The i-th generated input of a run seeded with `seed` (deterministic).
    public func input(_ index: Int, seed: UInt64) -> String {
        var stream = RandomStream(seed: seed, stream: UInt64(index))
        guard !corpus.isEmpty else { return "" }
        var bytes = Array(corpus[Int(stream.next() % UInt64(corpus.count))].utf8)
        let edits = 1 + Int(stream.next() % 8)
        for _ in 0..<edits {
            let position = bytes.isEmpty ? 0 : Int(stream.next() % UInt64(bytes.count + 1))
            switch stream.next() % 6 {
            case 0 where !bytes.isEmpty && position < bytes.count:
                bytes[position] ^= UInt8(truncatingIfNeeded: 1 << (stream.next() % 8))
            case 1:
                bytes.insert(UInt8(truncatingIfNeeded: stream.next()), at: position)
            case 2 where !bytes.isEmpty:
                let length = min(Int(stream.next() % 64), bytes.count - min(position, bytes.count))
                bytes.removeSubrange(min(position, bytes.count)..<(min(position, bytes.count) + length))
            case 3 where !bytes.isEmpty:
                let start = Int(stream.next() % UInt64(bytes.count))
                let end = min(bytes.count, start + Int(stream.next() % 128))
                bytes.insert(contentsOf: bytes[start..<end], at: position)
            case 4:
                let other = Array(corpus[Int(stream.next() % UInt64(corpus.count))].utf8)
                if !other.isEmpty {
                    let start = Int(stream.next() % UInt64(other.count))
                    bytes.insert(contentsOf: other[start..<min(other.count, start + 200)], at: position)
                }
            default:
                bytes.insert(contentsOf: Array(Self.tokens[Int(stream.next() % UInt64(Self.tokens.count))].utf8), at: position)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses and binds one input; returns a finding if the property breaks.
    public func check(_ text: String, timeLimit: Double = 1) -> Finding? {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let lesson = try LessonParser.parse(text, name: "fuzz", file: "fuzz.md")
            _ = try LessonRunner(registry: registry, figures: figures).bind(lesson)
            _ = TerminalRenderer(width: 80).render(lesson, LessonResult(lesson: "fuzz", title: lesson.title, seed: 1, checks: []))
        } catch let error as LessonError {
            if error.line < 1 || error.message.isEmpty { return Finding(input: text, problem: "unhelpful error \(error)") }
        } catch {
            return Finding(input: text, problem: "unexpected error type \(type(of: error)): \(error)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return seconds > timeLimit ? Finding(input: text, problem: "slow input (\(seconds) s)") : nil
    }
}
