import CheckCore
import Notebook

/// Renders the Markdown prose of a lesson as an HTML fragment for an offline page. Each formula
/// carries its LaTeX (for KaTeX, `HTMLExport`) and, as its text, the Unicode reading
/// `LaTeXUnicode` gives the terminal, so the page reads well without a math renderer too.
///
/// The blocks are those of `ProseBlock` (shared with the terminal renderer):
/// - `#`…`######` headings become `<h1>`…`<h6>` with an `id` slug for anchors (`## 1. Bayes' rule`
///   → `id="1-bayes-rule"`; a repeated slug gets `-1`, `-2`, … within one call);
/// - `$$…$$`, on one line or several, becomes `<div class="math" data-tex="…">`;
/// - fenced code becomes `<pre><code>` (with `class="language-X"` for ```` ```X ````), its text
///   kept literally;
/// - consecutive `-`/`*` items become a `<ul>`, numbered items an `<ol>` (blank lines between
///   items of one list keep it open); paragraphs become `<p>`, their lines joined by spaces.
///
/// Inside headings, paragraphs and list items (`HTMLProse.inline`): `$…$` becomes
/// `<span class="math" data-tex="…">`, `` `code` `` becomes `<code>` (no math inside), `**bold**` `<strong>`,
/// `*italic*` `<em>` and `[text](url)` `<a href>`. The lessons use neither `_italic_`, block
/// quotes nor tables, so those are not recognized: their characters appear as written.
/// Every other `&`, `<`, `>`, `"` and `'` is escaped, also inside the rendered math
/// (`$0 < s^2 < 1$` → `<span class="math" data-tex="0 &lt; s^2 &lt; 1">0 &lt; s² &lt; 1</span>`).
///
/// The output is a pure function of the input: one element per line, ending with a newline.
public enum HTMLProse {
    /// The HTML fragment for `markdown` (see the type's description).
    public static func render(_ markdown: String) -> String {
        var out = ""
        var list: ProseBlock.ListMarker?  // the marker of the list that is open
        var ids: Set<String> = []
        func closeList() {
            guard let open = list else { return }
            out += open.isNumber ? "</ol>\n" : "</ul>\n"
            list = nil
        }
        for block in ProseBlock.parse(markdown) {
            switch block {
            case .blank:
                continue
            case .listItem(let marker, let lines):
                if let open = list, !open.continues(with: marker) { closeList() }
                if list == nil {
                    switch marker {
                    case .bullet: out += "<ul>\n"
                    case .number(let digits):
                        if let start = Int(digits), start != 1 { out += "<ol start=\"\(start)\">\n" } else { out += "<ol>\n" }
                    }
                    list = marker
                }
                out += "<li>" + inline(lines.joined(separator: " ")) + "</li>\n"
                continue
            default:
                closeList()
            }
            switch block {
            case .heading(let level, let text):
                let tag = "h\(min(level, 6))"
                out += "<\(tag) id=\"\(escape(uniqueSlug(text, &ids)))\">" + inline(text) + "</\(tag)>\n"
            case .paragraph(let lines):
                out += "<p>" + inline(lines.joined(separator: " ")) + "</p>\n"
            case .displayMath(let latex):
                out += math(latex, display: true) + "\n"
            case .code(let info, let lines):
                let language = info.split(separator: " ").first.map { " class=\"language-\(escape(String($0)))\"" } ?? ""
                out += "<pre><code\(language)>" + escape(lines.joined(separator: "\n")) + "</code></pre>\n"
            case .blank, .listItem:
                break
            }
        }
        closeList()
        return out
    }

    /// A formula as an element: its Unicode reading as the content (what a page without
    /// KaTeX, or a reader of the source, sees) and its LaTeX in `data-tex`, which the page's
    /// KaTeX, when the export found it, renders in its place.
    static func math(_ latex: String, display: Bool) -> String {
        let tag = display ? "div" : "span"
        let tex = latex.trimmingCharacters(in: .whitespacesAndNewlines)
        return "<\(tag) class=\"math\" data-tex=\"\(escape(tex))\">" + escape(LaTeXUnicode.render(latex)) + "</\(tag)>"
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, so it can stand
    /// as element content or inside a double-quoted attribute. Works on Unicode scalars, so a
    /// `<` carrying a combining mark is escaped too.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The anchor of a heading, as GitHub forms it: the text as read (math in Unicode), lower
    /// case, letters, digits, `-` and `_` kept, spaces turned into `-`, everything else dropped
    /// (`"β increasing, therefore ᾱ decreasing"?` → `β-increasing-therefore-ᾱ-decreasing`).
    /// Empty becomes `section`; a slug already in `used` gets the first free suffix `-1`, `-2`, ….
    static func uniqueSlug(_ markdown: String, _ used: inout Set<String>) -> String {
        var slug = ""
        for c in LaTeXUnicode.renderProse(markdown).lowercased() {
            if c.isLetter || c.isNumber || c == "_" || c == "-" {
                slug.append(c)
            } else if c.isWhitespace, !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.last == "-" { slug.removeLast() }
        if slug.isEmpty { slug = "section" }
        var candidate = slug
        var suffix = 0
        while used.contains(candidate) {
            suffix += 1
            candidate = "\(slug)-\(suffix)"
        }
        used.insert(candidate)
        return candidate
    }
}

extension ProseBlock.ListMarker {
    var isNumber: Bool {
        if case .number = self { true } else { false }
    }

    /// Whether an item with `next` continues the list this marker opened, as in CommonMark:
    /// numbered items continue numbered items, a bullet continues the same bullet character.
    func continues(with next: Self) -> Bool {
        switch (self, next) {
        case (.number, .number): true
        case (.bullet(let a), .bullet(let b)): a == b
        default: false
        }
    }
}
