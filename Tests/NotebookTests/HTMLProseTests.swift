import CheckCore
import Foundation
import Notebook
import NotebookExport
import Testing

@Suite("HTMLProse: lesson Markdown as an HTML fragment")
struct HTMLProseTests {
    @Test("headings get their level and a unique id slug")
    func headings() {
        let html = HTMLProse.render("# The forward process\n\n## 1. Bayes' rule\n\n### 1. Bayes' rule\n\n#### $\\beta$ increasing, \"really\"?")
        #expect(html == """
            <h1 id="the-forward-process">The forward process</h1>
            <h2 id="1-bayes-rule">1. Bayes&#39; rule</h2>
            <h3 id="1-bayes-rule-1">1. Bayes&#39; rule</h3>
            <h4 id="β-increasing-really"><span class="math" data-tex="\\beta">β</span> increasing, &quot;really&quot;?</h4>

            """)
    }

    @Test("`<` inside inline math is escaped inside its span, and nowhere stands raw")
    func inlineMathEscaped() {
        let html = HTMLProse.render("For data with $0 < s^2 < 1$, like\nthese, $a > b$.")
        #expect(html == "<p>For data with <span class=\"math\" data-tex=\"0 &lt; s^2 &lt; 1\">0 &lt; s² &lt; 1</span>, like these, "
            + "<span class=\"math\" data-tex=\"a &gt; b\">a &gt; b</span>.</p>\n")
        #expect(TagBalance.problems(in: html).isEmpty, "\(TagBalance.problems(in: html))")
    }

    @Test("display math may span lines and is rendered as one formula")
    func displayMath() {
        let html = HTMLProse.render("Before\n$$\\tilde\\beta_t =\n  \\frac{1-\\bar\\alpha_{t-1}}{1-\\bar\\alpha_t}\n\\beta_t < 1$$\nafter")
        #expect(html == """
            <p>Before</p>
            <div class="math" data-tex="\\tilde\\beta_t = \\frac{1-\\bar\\alpha_{t-1}}{1-\\bar\\alpha_t} \\beta_t &lt; 1">β\u{303}ₜ = (1−\u{1FB1}ₜ₋₁)/(1−\u{1FB1}ₜ) βₜ &lt; 1</div>
            <p>after</p>

            """)
    }

    @Test("bullet and numbered lists, continuation lines, a new list for a new marker")
    func lists() {
        let html = HTMLProse.render("""
            Intro:
            - one $x_0$
            - two
              continued

            - three
            * other bullet
            3. third
            4. fourth
            Text.
            """)
        #expect(html == """
            <p>Intro:</p>
            <ul>
            <li>one <span class="math" data-tex="x_0">x₀</span></li>
            <li>two continued</li>
            <li>three</li>
            </ul>
            <ul>
            <li>other bullet</li>
            </ul>
            <ol start="3">
            <li>third</li>
            <li>fourth</li>
            </ol>
            <p>Text.</p>

            """)
    }

    @Test("code blocks and code spans keep `<`, `&` and `$` literally, escaped")
    func code() {
        let html = HTMLProse.render("```swift\nif a < b && $x$ { `y` }\n  indented\n```\nRun `lessons calc --x $5 <in>` now.")
        #expect(html == """
            <pre><code class="language-swift">if a &lt; b &amp;&amp; $x$ { `y` }
              indented</code></pre>
            <p>Run <code>lessons calc --x $5 &lt;in&gt;</code> now.</p>

            """)
        #expect(HTMLProse.render("```\n$$\n```") == "<pre><code>$$</code></pre>\n")
    }

    @Test("bold and italic, around math too; lone stars stay")
    func emphasis() {
        #expect(HTMLProse.render("**Verdict: true.** For *any* $\\beta_t$, **$x$ is *it* here**, 2 * 3 * 4 and ** not**.")
            == "<p><strong>Verdict: true.</strong> For <em>any</em> <span class=\"math\" data-tex=\"\\beta_t\">βₜ</span>, "
            + "<strong><span class=\"math\" data-tex=\"x\">x</span> is <em>it</em> here</strong>, 2 * 3 * 4 and ** not**.</p>\n")
        #expect(HTMLProse.render("- **Data.** The *swiss* roll") == "<ul>\n<li><strong>Data.</strong> The <em>swiss</em> roll</li>\n</ul>\n")
    }

    @Test("links, with escaped URLs; no javascript: links")
    func links() {
        #expect(HTMLProse.render("See [the *README*](../README.md?a=1&b=2#top) and [x](javascript:alert(1)).")
            == "<p>See <a href=\"../README.md?a=1&amp;b=2#top\">the <em>README</em></a> and [x](javascript:alert(1)).</p>\n")
        #expect(HTMLProse.render("[DDPM](https://arxiv.org/abs/2006.11239)") == "<p><a href=\"https://arxiv.org/abs/2006.11239\">DDPM</a></p>\n")
    }

    @Test("&, <, > and quotes in text are escaped")
    func escaping() {
        #expect(HTMLProse.render("Q&A: <b>\"quoted\"</b> & 'single' &amp;") ==
            "<p>Q&amp;A: &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; &#39;single&#39; &amp;amp;</p>\n")
        #expect(HTMLProse.render("$$a \\& b$$") == "<div class=\"math\" data-tex=\"a \\&amp; b\">a &amp; b</div>\n")
    }

    @Test("every lesson renders to well-formed HTML with no math delimiters left", arguments: HTMLProseTests.lessonFiles)
    func lesson(file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        let lesson = try LessonParser.parse(text, name: file.lastPathComponent, file: file.path)
        var fragments: [String] = []
        for case .prose(let markdown) in lesson.blocks { fragments.append(HTMLProse.render(markdown)) }
        fragments.append(HTMLProse.render(text))  // the whole file, cells as code blocks
        for html in fragments {
            let problems = TagBalance.problems(in: html)
            #expect(problems.isEmpty, "\(file.lastPathComponent): \(problems.prefix(5))")
            #expect(TagBalance.dollarsOutsideCode(in: html) == 0, "\(file.lastPathComponent)")
        }
        let page = fragments.dropLast().joined()
        #expect(page.components(separatedBy: "<h1 ").count == 2, "one title")
        #expect(page.contains("class=\"math\""))
        #expect(HTMLProse.render(text) == fragments.last, "deterministic")
    }

    static let lessonFiles: [URL] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Lessons")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".md") }.sorted().map { folder.appendingPathComponent($0) }
    }()

    @Test("the lessons folder is found")
    func lessonsFound() {
        #expect(Self.lessonFiles.count >= 7)
    }

    @Test("the tag-balance checker itself rejects broken HTML")
    func checker() {
        #expect(TagBalance.problems(in: "<p>a <span class=\"math\">b</span></p>\n").isEmpty)
        for bad in ["<p>a < b</p>", "<p><em>x</p></em>", "<p>x", "a > b", "<p x=\"1>2\">", "&nbsp", "<script>x</script>", "</p>"] {
            #expect(!TagBalance.problems(in: bad).isEmpty, "\(bad)")
        }
        #expect(TagBalance.dollarsOutsideCode(in: "<code>$x$</code><pre>$</pre>") == 0)
        #expect(TagBalance.dollarsOutsideCode(in: "<p>$x$ <code>$</code></p>") == 2)
    }
}

/// A tiny checker for the HTML `HTMLProse` writes: every `<` starts a tag of the few elements it
/// uses, attributes are `name="value"`, tags close in the order they opened, `&` starts one of
/// the five references it writes, and no `>` stands outside a tag.
enum TagBalance {
    static let elements: Set = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "pre", "code", "div", "span", "strong", "em", "a"]
    static let references = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]

    static func problems(in html: String) -> [String] {
        var problems: [String] = []
        var open: [String] = []
        walk(html, open: &open) { problem in problems.append(problem) } text: { _, _ in }
        if !open.isEmpty { problems.append("never closed: \(open)") }
        return problems
    }

    /// The `$` in text that is inside neither `<code>` nor `<pre>`.
    static func dollarsOutsideCode(in html: String) -> Int {
        var count = 0
        var open: [String] = []
        walk(html, open: &open) { _ in } text: { c, open in
            if c == "$", !open.contains("code"), !open.contains("pre") { count += 1 }
        }
        return count
    }

    private static func walk(_ html: String, open: inout [String], problem: (String) -> Void, text: (Character, [String]) -> Void) {
        var rest = html[...]
        while let c = rest.first {
            if c == "<" {
                guard let end = rest.firstIndex(of: ">") else { return problem("a < with no >") }
                let tag = rest[rest.index(after: rest.startIndex)..<end]
                rest = rest[rest.index(after: end)...]
                if tag.hasPrefix("/") {
                    let name = String(tag.dropFirst())
                    if open.last == name { open.removeLast() } else { problem("</\(name)> closes <\(open.last ?? "nothing")>") }
                    continue
                }
                let name = String(tag.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) })
                guard elements.contains(name), validAttributes(tag.dropFirst(name.count)) else {
                    problem("not a tag: <\(tag.prefix(40))>")
                    continue
                }
                open.append(name)
            } else if c == ">" {
                problem("a > outside a tag")
                rest = rest.dropFirst()
            } else if c == "&" {
                if !references.contains(where: { rest.hasPrefix($0) }) { problem("a bare & in \(rest.prefix(20))") }
                rest = rest.dropFirst()
            } else {
                text(c, open)
                rest = rest.dropFirst()
            }
        }
    }

    /// ` name="value"` repeated; values hold no `<`, `>` or `"` and only escaped `&`.
    private static func validAttributes(_ s: Substring) -> Bool {
        var rest = s
        while !rest.isEmpty {
            guard rest.first == " " else { return false }
            rest = rest.dropFirst()
            let name = rest.prefix { $0.isASCII && ($0.isLowercase || $0 == "-") }
            guard !name.isEmpty else { return false }
            rest = rest.dropFirst(name.count)
            guard rest.hasPrefix("=\"") else { return false }
            rest = rest.dropFirst(2)
            guard let quote = rest.firstIndex(of: "\"") else { return false }
            let value = rest[..<quote]
            if value.contains("<") || value.contains(">") { return false }
            if value.indices.contains(where: { value[$0] == "&" && !references.contains(where: value[$0...].hasPrefix) }) { return false }
            rest = rest[rest.index(after: quote)...]
        }
        return true
    }
}
