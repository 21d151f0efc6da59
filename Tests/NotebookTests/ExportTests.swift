import CheckCore
import Foundation
import Notebook
import NotebookExport
import Testing

/// A small executed lesson: prose with math, a passing check, a failing check whose
/// quantity holds Markdown and HTML metacharacters, and a figure.
enum ExportFixture {
    static let text = """
        ---
        title: Demo <lesson>
        summary: a demo
        ---

        # Demo

        Prose with $0 < s^2 < 1$ and $$x = 1$$.

        ```check demo.good
        t: 3
        ```

        ```plot demo-figure
        ```

        ```check demo.bad
        ```
        """

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2, 255])
    static let svg = "<?xml version=\"1.0\"?>\n<svg id='top'><defs><path id='gpPt0'/></defs><use xlink:href='#gpPt0'/><g clip-path=\"url(#clip1)\"/></svg>\n"

    static func executed(seed: UInt64 = 1) throws -> ExecutedLesson {
        let lesson = try LessonParser.parse(text, name: "demo", file: "Lessons/demo.md")
        let good = CellResult(id: "demo.good", title: "Good | check", line: 11, rows: [
            .monteCarlo("mean of x_t", closedForm: 1, mean: 1.001, stderr: 0.001, n: 1_000_000),
            .exact("variance", closedForm: 2, exact: 2),
        ], error: nil)
        let bad = CellResult(id: "demo.bad", title: "Bad", line: 19, rows: [
            .exact("a|b *c* $d$ <e> & f", closedForm: 1, exact: 1.5),
        ], error: nil, verdict: .false)
        let result = LessonResult(lesson: "demo", title: lesson.title, seed: seed, checks: [good, bad])
        let figure = RenderedFigure(name: "demo-figure", svg: svg, png: png, text: "  *  \n")
        return try ExecutedLesson(lesson: lesson, result: result, figures: ["demo-figure": figure])
    }
}

@Suite("Exports of an executed lesson")
struct ExportTests {
    @Test("cells are numbered 1… in reading order, checks and plots alike, with their re-run command")
    func numbering() throws {
        let executed = try ExportFixture.executed()
        let numbers = executed.items.compactMap { item -> String? in
            switch item {
            case .prose: return nil
            case .check(let number, let cell, _): return "\(number):\(cell.id)"
            case .plot(let number, let cell, _): return "\(number):\(cell.name)"
            }
        }
        #expect(numbers == ["1:demo.good", "2:demo-figure", "3:demo.bad"])
        #expect(executed.command(cell: 3) == "lessons run demo --cell 3")
        #expect(try ExportFixture.executed(seed: 7).command(cell: 1) == "lessons run demo --cell 1 --seed 7")
        let only = try executed.lesson.only(cell: 2)
        #expect(only.plots.map(\.name) == ["demo-figure"] && only.cells.isEmpty)
        let third = try executed.lesson.only(cell: 3)
        #expect(third.cells.map(\.index) == [1], "a check keeps its random stream when run alone")
        #expect(throws: LessonError.self) { try executed.lesson.only(cell: 4) }
    }

    @Test("a result from another lesson, or a missing figure, is an error, not a wrong export")
    func mismatch() throws {
        let lesson = try LessonParser.parse(ExportFixture.text, name: "demo", file: "Lessons/demo.md")
        let wrong = LessonResult(lesson: "demo", title: "", seed: 1, checks: [
            CellResult(id: "other.check", title: "", line: 1, rows: [], error: nil)
        ])
        let figure = RenderedFigure(name: "demo-figure", svg: "", png: Data(), text: "")
        #expect(throws: LessonError.self) { try ExecutedLesson(lesson: lesson, result: wrong, figures: ["demo-figure": figure]) }
        let right = try ExportFixture.executed().result
        #expect(throws: LessonError.self) { try ExecutedLesson(lesson: lesson, result: right, figures: [:]) }
    }

    @Test("Markdown: math kept, tables with verdicts, metacharacters escaped, figure linked")
    func markdown() throws {
        let text = MarkdownExport.render(try ExportFixture.executed()) { "figures/\($0).png" }
        #expect(text.contains("Prose with $0 < s^2 < 1$ and $$x = 1$$."), "prose and math pass through unchanged")
        #expect(text.contains("# Demo\n\n> Executed notebook: **1 passed, 1 failed** (seed 1)."))
        #expect(text.contains("**✓ cell 1 · check `demo.good`** — Good \\| check · `lessons run demo --cell 1`"))
        #expect(text.contains("```yaml\nt: 3\n```"))
        #expect(text.contains("| quantity | closed form | evidence (n=1e6) | score | rule | pass |"))
        #expect(text.contains("| mean of x<sub>t</sub> | 1 | MC 1.001 ± 0.001 | z=+1.00 | \\|z\\| ≤ 5 | ✓ |"), "a script as <sub>")
        #expect(text.contains("**✗ cell 3 · check `demo.bad`** — Bad — verdict: **false**"))
        #expect(text.contains("| a\\|b \\*c\\* \\$d\\$ &lt;e&gt; &amp; f | 1 | exact 1.5 | rel=0.33 | rel ≤ 1e-9 | ✗ **fails** |"))
        #expect(text.contains("![demo-figure](figures/demo-figure.png)"))
        #expect(text.hasSuffix("**demo: 1 passed, 1 failed** (seed 1).\n"))
        // Every table row has as many cells as the header: no stray | split a row.
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.replacingOccurrences(of: "\\|", with: "").split(separator: "|", omittingEmptySubsequences: false)
            #expect(cells.count == 8, "\(line)")
        }
    }

    @Test("Jupyter: nbformat 4.5 cells in the kernel's language, outputs as text, HTML, Markdown, JSON, SVG and PNG")
    func jupyter() throws {
        let json = try JupyterExport.render(try ExportFixture.executed())
        let notebook = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(notebook["nbformat"] as? Int == 4 && notebook["nbformat_minor"] as? Int == 5)
        let cells = try #require(notebook["cells"] as? [[String: Any]])
        #expect(cells.map { $0["cell_type"] as? String } == ["markdown", "markdown", "code", "code", "code"])
        let ids = cells.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == cells.count, "cell ids are unique")
        let code = cells.filter { $0["cell_type"] as? String == "code" }
        let source = (code[0]["source"] as? [String])?.joined() ?? ""
        #expect(source == "%seed 1\n%stream 0\ncheck demo.good\nt: 3")
        let third = (code[2]["source"] as? [String])?.joined() ?? ""
        #expect(third.hasPrefix("%stream 1\ncheck demo."), "the seed is set once, each check names its stream")
        #expect(code.map { $0["execution_count"] as? Int } == [1, 2, 3])
        let kernel = try #require((notebook["metadata"] as? [String: Any])?["kernelspec"] as? [String: Any])
        #expect(kernel["name"] as? String == "lessons")
        let checkOutput = try #require((code[0]["outputs"] as? [[String: Any]])?.first)
        #expect(checkOutput["output_type"] as? String == "execute_result")
        let data = try #require(checkOutput["data"] as? [String: Any])
        let plain = (data["text/plain"] as? [String])?.joined() ?? ""
        let markdown = (data["text/markdown"] as? [String])?.joined() ?? ""
        #expect(plain.contains("z=+1.00"))
        #expect(markdown.contains("| evidence (n=1e6) |"))
        let html = (data["text/html"] as? [String])?.joined() ?? ""
        #expect(html.contains("<table>"))
        let rows = try #require(data["application/vnd.lessons.check+json"] as? [String: Any])
        #expect(rows["seed"] as? Int == 1 && rows["stream"] as? Int == 0 && rows["parameters"] as? String == "t: 3")
        #expect(rows["line"] == nil, "nothing that depends on where the cell stands")
        #expect((rows["rows"] as? [Any])?.count == 2)
        let plotOutput = try #require((code[1]["outputs"] as? [[String: Any]])?.first)
        #expect(plotOutput["output_type"] as? String == "display_data" && plotOutput["execution_count"] == nil)
        let png = try #require((plotOutput["data"] as? [String: Any])?["image/png"] as? String)
        #expect(Data(base64Encoded: png) == ExportFixture.png)
        let svg = ((plotOutput["data"] as? [String: Any])?["image/svg+xml"] as? [String])?.joined() ?? ""
        #expect(svg.hasPrefix("<svg"))
        // Markdown cells carry no outputs (nbformat rejects them there).
        #expect(cells.filter { $0["cell_type"] as? String == "markdown" }.allSatisfy { $0["outputs"] == nil })
        // Lines keep their newline, except the last.
        let prose = (cells[1]["source"] as? [String]) ?? []
        #expect(prose.dropLast().allSatisfy { $0.hasSuffix("\n") } && prose.last?.hasSuffix("\n") == false)
    }

    @Test("HTML: escaped text, a failing row marked, figures inline with ids made unique")
    func html() throws {
        let page = HTMLExport.render(try ExportFixture.executed())
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(page.contains("<title>Demo &lt;lesson&gt;</title>"))
        #expect(page.contains("<td>a|b *c* $d$ &lt;e&gt; &amp; f</td>"))
        #expect(page.contains("<section class=\"cell fail\" id=\"cell-3\">"))
        #expect(page.contains("<tr class=\"fail\">"))
        #expect(page.contains("<svg id='cell-2-top'><defs><path id='cell-2-gpPt0'/></defs><use xlink:href='#cell-2-gpPt0'/><g clip-path=\"url(#cell-2-clip1)\"/></svg>"))
        #expect(!page.contains("<?xml"))
        #expect(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"), "nothing to fetch")
        #expect(page.contains("<footer class=\"fail\"><strong>demo: 1 passed, 1 failed</strong>"))
    }

    @Test("JSON: every block in order, with the check rows and the figure")
    func json() throws {
        let text = try NotebookJSONExport.render(try ExportFixture.executed())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["lesson"] as? String == "demo" && object["passed"] as? Int == 1 && object["failed"] as? Int == 1)
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["kind"] as? String } == ["prose", "check", "plot", "check"])
        #expect(blocks[1]["parameters"] as? String == "t: 3")
        #expect(blocks[3]["command"] as? String == "lessons run demo --cell 3")
        let rows = try #require((blocks[3]["result"] as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(rows.first?["pass"] as? Bool == false)
        let figure = try #require(blocks[2]["figure"] as? [String: Any])
        #expect(figure["png"] as? String == ExportFixture.png.base64EncodedString())
    }

    @Test("every format is byte-identical when rendered twice")
    func deterministic() throws {
        let (a, b) = (try ExportFixture.executed(), try ExportFixture.executed())
        #expect(MarkdownExport.render(a) { $0 } == MarkdownExport.render(b) { $0 })
        #expect(try JupyterExport.render(a) == JupyterExport.render(b))
        #expect(HTMLExport.render(a) == HTMLExport.render(b))
        #expect(try NotebookJSONExport.render(a) == NotebookJSONExport.render(b))
    }
}
