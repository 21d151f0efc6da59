import CheckCore
import Notebook

/// One block of a lesson's Markdown prose, as every renderer sees it.
///
/// `ProseBlock.parse` is the single reading of the block structure of lesson prose; the
/// terminal renderer and `HTMLProse` both walk its result, so they agree on what is a heading,
/// a display formula, a code block or a list item. Lines are classified one at a time, on
/// their text without surrounding spaces, in this order:
/// - an empty line is `.blank` (it ends a list);
/// - a line starting with `#` is a heading of level = the number of leading `#`;
/// - a line starting with `$$` opens display math, which runs until a line ends with `$$`;
/// - a line starting with ```` ``` ```` opens a code block, closed by a line that is exactly ```` ``` ````;
/// - `- `, `* ` or digits and `. ` start a list item; the following lines indented by two
///   spaces continue it;
/// - any other line belongs to a paragraph, which runs until another kind of line.
enum ProseBlock: Equatable, Sendable {
    /// An empty line (only spaces).
    case blank
    /// `# text` … `###### text`: the level (the count of `#`, at least 1) and the text after them.
    case heading(level: Int, text: String)
    /// The consecutive lines of a paragraph, trimmed.
    case paragraph([String])
    /// The LaTeX between `$$` and `$$`, its lines joined by single spaces.
    case displayMath(String)
    /// A fenced code block: the words after the opening fence and the lines as they stand.
    case code(info: String, lines: [String])
    /// A list item: its marker and its lines, trimmed; the first starts after the marker.
    case listItem(ListMarker, lines: [String])

    /// The marker of a list item.
    enum ListMarker: Equatable, Sendable {
        /// `-` or `*`.
        case bullet(Character)
        /// The digits of `12. `.
        case number(String)
    }

    /// Splits Markdown prose into blocks, in reading order (see the type's description).
    /// An unclosed code block or display formula runs to the end of the text.
    static func parse(_ markdown: String) -> [ProseBlock] {
        var blocks: [ProseBlock] = []
        var paragraph: [String] = []
        func flush() {
            guard !paragraph.isEmpty else { return }
            blocks.append(.paragraph(paragraph))
            paragraph = []
        }
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            let trimmed = line.trimmingSpaces
            let marker = listMarker(trimmed)
            if !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix("$$"), !trimmed.hasPrefix("```"), marker == nil {
                paragraph.append(trimmed)
                continue
            }
            flush()
            if trimmed.isEmpty {
                blocks.append(.blank)
            } else if trimmed.hasPrefix("#") {
                let level = trimmed.prefix { $0 == "#" }.count
                blocks.append(.heading(level: level, text: trimmed.dropFirst(level).trimmingSpaces))
            } else if trimmed.hasPrefix("$$") {
                var math = String(trimmed.dropFirst(2))
                while !math.hasSuffix("$$"), let next = lines.popFirst() { math += " " + next.trimmingSpaces }
                if math.hasSuffix("$$") { math.removeLast(2) }
                blocks.append(.displayMath(math.trimmingSpaces))
            } else if trimmed.hasPrefix("```") {
                var body: [String] = []
                while let next = lines.popFirst(), next.trimmingSpaces != "```" { body.append(String(next)) }
                blocks.append(.code(info: trimmed.dropFirst(3).trimmingSpaces, lines: body))
            } else if let marker {
                var item = [String(trimmed.dropFirst(marker.width))]
                while let next = lines.first, !next.trimmingSpaces.isEmpty, next.hasPrefix("  ") {
                    item.append(next.trimmingSpaces)
                    lines.removeFirst()
                }
                blocks.append(.listItem(marker, lines: item))
            }
        }
        flush()
        return blocks
    }

    /// The list marker `line` starts with: `- `, `* `, or digits followed by `. `.
    static func listMarker(_ line: String) -> ListMarker? {
        if line.hasPrefix("- ") || line.hasPrefix("* "), let first = line.first { return .bullet(first) }
        let digits = line.prefix(while: \.isNumber)
        guard !digits.isEmpty, line.dropFirst(digits.count).hasPrefix(". ") else { return nil }
        return .number(String(digits))
    }
}

extension ProseBlock.ListMarker {
    /// The characters the marker takes at the start of its line, with the space after it.
    var width: Int {
        switch self {
        case .bullet: 2
        case .number(let digits): digits.count + 2
        }
    }
}
