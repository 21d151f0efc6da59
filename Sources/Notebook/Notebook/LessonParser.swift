import CheckCore

/// Reads a lesson file into prose blocks and check cells.
public enum LessonParser {
    /// Parses `text` (the contents of `file`, named `name`). Throws `LessonError` for a
    /// malformed front matter, a check fence without an id, or an unclosed fence.
    public static func parse(_ text: String, name: String, file: String) throws -> Lesson {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        var title = name, summary = ""
        if lines.first == "---" {
            guard let end = lines.dropFirst().firstIndex(of: "---") else {
                throw LessonError(file: file, line: 1, "front matter opened with --- is never closed (expected a line with ---)")
            }
            for (offset, line) in lines[1..<end].enumerated() where !line.trimmingSpaces.isEmpty {
                guard let colon = line.firstIndex(of: ":") else {
                    throw LessonError(file: file, line: offset + 2, "front matter lines are `key: value` (accepted keys: title, summary)")
                }
                let key = line[..<colon].trimmingSpaces
                let value = line[line.index(after: colon)...].trimmingSpaces
                switch key {
                case "title": title = value
                case "summary": summary = value
                default:
                    throw LessonError(file: file, line: offset + 2, "unknown front matter key '\(key)' (accepted: title, summary)")
                }
            }
            index = end + 1
        }
        var blocks: [LessonBlock] = []
        var prose: [String] = []
        var cellCount = 0
        func flushProse() {
            let joined = prose.joined(separator: "\n")
            if !joined.trimmingSpaces.isEmpty { blocks.append(.prose(joined)) }
            prose = []
        }
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingSpaces
            guard trimmed.hasPrefix("```") else {
                prose.append(line)
                index += 1
                continue
            }
            let info = trimmed.dropFirst(3).trimmingSpaces
            let opening = index + 1
            guard let close = lines[(index + 1)...].firstIndex(where: { $0.trimmingSpaces == "```" }) else {
                throw LessonError(file: file, line: opening, "code fence ``` is never closed")
            }
            let words = info.split(separator: " ").map(String.init)
            if words.first == "check" {
                guard words.count == 2, let id = words.last, isCheckID(id) else {
                    throw LessonError(
                        file: file, line: opening,
                        "a check cell opens with ```check ID, one id of letters, digits, '.', '-' or '_' (got \"\(trimmed)\")")
                }
                flushProse()
                let body = lines[(index + 1)..<close].joined(separator: "\n")
                blocks.append(.check(CheckCell(id: id, yaml: body, file: file, line: opening, index: cellCount)))
                cellCount += 1
            } else if words.first == "plot" {
                guard words.count == 2, let name = words.last, isCheckID(name) else {
                    throw LessonError(file: file, line: opening, "a plot cell opens with ```plot NAME (got \"\(trimmed)\")")
                }
                guard lines[(index + 1)..<close].allSatisfy({ $0.trimmingSpaces.isEmpty }) else {
                    throw LessonError(file: file, line: opening + 1, "a plot cell takes no parameters: leave its body empty")
                }
                flushProse()
                blocks.append(.plot(PlotCell(name: name, file: file, line: opening)))
            } else {
                prose.append(contentsOf: lines[index...close])
            }
            index = close + 1
        }
        flushProse()
        return Lesson(name: name, file: file, title: title, summary: summary, blocks: blocks)
    }

    static func isCheckID(_ id: String) -> Bool {
        !id.isEmpty && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
    }
}

extension StringProtocol {
    package var trimmingSpaces: String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
