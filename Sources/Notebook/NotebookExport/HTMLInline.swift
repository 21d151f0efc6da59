import CheckCore
import Notebook

extension HTMLProse {
    /// The HTML of one line of Markdown text (a heading, a paragraph or a list item, its lines
    /// joined). `LaTeXUnicode.proseSegments` finds code spans and formulas, exactly as the
    /// terminal does; they become finished HTML. The remaining text is scanned for `**bold**`,
    /// `*italic*` and `[text](url)`, which may enclose formulas and code, and is escaped.
    static func inline(_ markdown: String) -> String {
        var atoms: [InlineAtom] = []
        for segment in LaTeXUnicode.proseSegments(markdown) {
            switch segment {
            case .text(let text):
                atoms += text.map(InlineAtom.char)
            case .code(let code):
                atoms.append(.html("<code>" + escape(code) + "</code>"))
            case .math(let latex, _):
                atoms.append(.html(math(latex, display: false)))
            }
        }
        return markup(atoms[...])
    }

    /// A character of Markdown text, or a piece of finished HTML (a code span or a formula).
    enum InlineAtom: Equatable {
        case char(Character)
        case html(String)

        var isWhitespace: Bool {
            if case .char(let c) = self { c.isWhitespace } else { false }
        }
    }

    /// Renders emphasis and links in `atoms` and escapes the rest.
    static func markup(_ atoms: ArraySlice<InlineAtom>) -> String {
        var out = ""
        var i = atoms.startIndex
        while i < atoms.endIndex {
            switch atoms[i] {
            case .html(let html):
                out += html
                i += 1
            case .char("*"):
                if let (close, width) = emphasis(atoms, at: i) {
                    let tag = width == 2 ? "strong" : "em"
                    out += "<\(tag)>" + markup(atoms[(i + width)..<close]) + "</\(tag)>"
                    i = close + width
                } else {
                    let run = starRun(atoms, at: i)
                    out += String(repeating: "*", count: run)
                    i += run
                }
            case .char("["):
                if let (textEnd, url, end) = link(atoms, at: i) {
                    out += "<a href=\"\(escape(url))\">" + markup(atoms[(i + 1)..<textEnd]) + "</a>"
                    i = end
                } else {
                    out += "["
                    i += 1
                }
            case .char(let c):
                out += escape(String(c))
                i += 1
            }
        }
        return out
    }

    /// The number of consecutive `*` from `i`.
    static func starRun(_ atoms: ArraySlice<InlineAtom>, at i: Int) -> Int {
        atoms[i...].prefix { $0 == .char("*") }.count
    }

    /// For a `*` run at `i` that opens emphasis (`**` strong, `*` italic; followed by a non-space),
    /// the index of the run that closes it (as long, preceded by a non-space) and the run's width.
    /// Runs of another length in between are skipped whole, so `*a **b** c*` nests.
    static func emphasis(_ atoms: ArraySlice<InlineAtom>, at i: Int) -> (close: Int, width: Int)? {
        let width = min(starRun(atoms, at: i), 2)
        guard i + width < atoms.endIndex, !atoms[i + width].isWhitespace else { return nil }
        var j = i + width + 1
        while j < atoms.endIndex {
            guard atoms[j] == .char("*") else {
                j += 1
                continue
            }
            let run = starRun(atoms, at: j)
            if run == width, !atoms[j - 1].isWhitespace { return (j, width) }
            j += run
        }
        return nil
    }

    /// For `[` at `i` starting `[text](url)`: the index of the `]`, the URL and the index after `)`.
    /// The URL is plain text without spaces; one with a scheme other than http, https or mailto
    /// (such as `javascript:`) is not made a link.
    static func link(_ atoms: ArraySlice<InlineAtom>, at i: Int) -> (textEnd: Int, url: String, end: Int)? {
        var depth = 0
        var j = i
        while j < atoms.endIndex {
            if atoms[j] == .char("[") { depth += 1 }
            if atoms[j] == .char("]") {
                depth -= 1
                if depth == 0 { break }
            }
            j += 1
        }
        guard j > i + 1, j + 1 < atoms.endIndex, atoms[j + 1] == .char("(") else { return nil }
        var url = ""
        for k in (j + 2)..<atoms.endIndex {
            guard case .char(let c) = atoms[k], !c.isWhitespace else { return nil }
            if c == ")" {
                guard !url.isEmpty, isSafe(url) else { return nil }
                return (j, url, k + 1)
            }
            url.append(c)
        }
        return nil
    }

    /// True for a relative URL or one whose scheme is http, https or mailto.
    static func isSafe(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return true }
        let scheme = url[..<colon]
        if scheme.contains(where: { "/?#".contains($0) }) { return true }
        return ["http", "https", "mailto"].contains(scheme.lowercased())
    }
}
