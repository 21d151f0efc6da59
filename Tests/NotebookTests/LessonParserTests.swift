import CheckCore
import Notebook
import NotebookExport
import Testing

@Suite("Lesson files: parsing and cell binding")
struct LessonParserTests {
    static let sample = """
        ---
        title: A title
        summary: One line.
        ---
        # Heading

        Prose with $\\bar\\alpha_t$.

        ```check demo.square
        x: 3
        ```

        ```text
        ```check not.a.cell
        ```

        ```check demo.square
        ```
        """

    static let registry = CheckRegistry([
        CheckDefinition(
            id: "demo.square", title: "x² is x·x",
            parameters: [
                ParameterSpec("x", .real(-10...10), default: .real(2), help: "x"),
                ParameterSpec("n", .integers(1...5), default: .integers([1]), help: "n"),
                ParameterSpec("kind", .choice(["a", "b"]), default: .text("a"), help: "kind"),
            ],
            mutations: [Mutation("cube", "x³")]
        ) { context in
            let x = context.parameters.real("x")
            let claimed = context.mutated("cube") ? x * x * x : x * x
            return [.exact("x²", closedForm: claimed, exact: x * x)]
        },
    ])

    @Test("front matter, prose and check cells in reading order")
    func parses() throws {
        let lesson = try LessonParser.parse(Self.sample, name: "demo", file: "Lessons/demo.md")
        #expect(lesson.title == "A title")
        #expect(lesson.summary == "One line.")
        #expect(lesson.cells.map(\.id) == ["demo.square", "demo.square"])
        #expect(lesson.cells.map(\.line) == [9, 17])
        #expect(lesson.cells.map(\.index) == [0, 1])
        #expect(lesson.cells[0].yaml == "x: 3")
    }

    @Test("a cell binds its parameters; an empty cell takes the defaults")
    func binds() throws {
        let lesson = try LessonParser.parse(Self.sample, name: "demo", file: "Lessons/demo.md")
        let (_, first) = try CellBinding.bind(lesson.cells[0], registry: Self.registry)
        let (_, second) = try CellBinding.bind(lesson.cells[1], registry: Self.registry)
        #expect(first.real("x") == 3)
        #expect(second.real("x") == 2)
        let result = try LessonRunner(registry: Self.registry).run(lesson, seed: 1)
        #expect(result.passed == 2 && result.failed == 0)
    }

    @Test("malformed files name the file, the line and what is accepted", arguments: [
        ("---\ntitle: x\n", 1, "never closed"),
        ("---\ncolour: red\n---\n", 2, "accepted: title, summary"),
        ("text\n```check\n```\n", 2, "```check ID"),
        ("text\n\n```check demo.square\nx: 1\n", 3, "never closed"),
    ])
    func malformed(text: String, line: Int, message: String) {
        do {
            _ = try LessonParser.parse(text, name: "bad", file: "Lessons/bad.md")
            Issue.record("accepted a malformed lesson")
        } catch let error as LessonError {
            #expect(error.file == "Lessons/bad.md")
            #expect(error.line == line)
            #expect(error.message.contains(message), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("bad cells: unknown id, unknown parameter, bad values, broken YAML", arguments: [
        ("```check demo.nope\n```", 1, "did you mean demo.square?"),
        ("```check demo.square\ny: 1\n```", 2, "accepted: x, n, kind"),
        ("```check demo.square\nx: 11\n```", 2, "a number in [-10, 10]"),
        ("```check demo.square\nx: ten\n```", 2, "a number in"),
        ("```check demo.square\nx: .nan\n```", 2, "a number in"),
        ("```check demo.square\nn: [1, 9]\n```", 2, "integers in 1…5"),
        ("```check demo.square\nn: 2\n```", 2, "a list of integers"),
        ("```check demo.square\nkind: c\n```", 2, "one of a, b"),
        ("```check demo.square\n- 1\n- 2\n```", 2, "name: value"),
        ("```check demo.square\nx: [1\n```", 2, "not valid YAML"),
    ])
    func badCells(text: String, line: Int, message: String) throws {
        let lesson = try LessonParser.parse(text, name: "bad", file: "Lessons/bad.md")
        do {
            _ = try LessonRunner(registry: Self.registry).bind(lesson)
            Issue.record("accepted a bad cell")
        } catch let error as LessonError {
            #expect(error.line >= 1 && error.line <= line + 1, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("plot cells: parsed in place, names checked against the figures, no body")
    func plots() throws {
        let text = "# P\n\n```plot schedules-beta\n```\n\nText.\n"
        let lesson = try LessonParser.parse(text, name: "p", file: "p.md")
        #expect(lesson.plots.map(\.name) == ["schedules-beta"])
        #expect(lesson.plots.first?.line == 3)
        _ = try LessonRunner(registry: Self.registry, figures: ["schedules-beta"]).bind(lesson)
        #expect(throws: LessonError.self) { _ = try LessonRunner(registry: Self.registry, figures: ["other"]).bind(lesson) }
        let rendered = TerminalRenderer(width: 80).render(lesson, LessonResult(lesson: "p", title: "P", seed: 1, checks: []),
                                                          charts: ["schedules-beta": "    *chart*\n"])
        #expect(rendered.contains("*chart*"))
        #expect(throws: LessonError.self) { _ = try LessonParser.parse("```plot a\nx: 1\n```\n", name: "p", file: "p.md") }
        #expect(throws: LessonError.self) { _ = try LessonParser.parse("```plot\n```\n", name: "p", file: "p.md") }
    }

    @Test("a mutation makes the demo check fail")
    func mutation() throws {
        let check = try #require(Self.registry["demo.square"])
        let rows = try check.run()
        #expect(!rows.isEmpty && rows.allSatisfy { $0.pass })
        #expect(try check.run(mutation: "cube").contains { !$0.pass })
    }
}
