import Foundation
import Notebook
import Testing

/// A notebook in the kernel's language read as a lesson (`lessons run ./my.ipynb`).
@Suite("Notebooks read as lessons")
struct NotebookLessonParserTests {
    static func notebook(_ cells: [(String, String)]) -> Data {
        let list = cells.map { ["cell_type": $0.0, "metadata": [String: String](), "source": $0.1] as [String: Any] }
        return try! JSONSerialization.data(withJSONObject: ["nbformat": 4, "nbformat_minor": 5, "metadata": [String: String](), "cells": list])
    }

    @Test("markdown is prose; check and plot cells with their magics; commands skipped and named")
    func cells() throws {
        let data = Self.notebook([
            ("markdown", "# My notebook\n\nSome $x$."),
            ("code", "%seed 7\n%samples 2000\n%stream 4\ncheck gaussian.sum\nmean1: 2"),
            ("code", "check gaussian.density"),
            ("code", "plot schedules-alphabar"),
            ("code", "lessons calc alpha-bar  --t '10'"),
            ("code", "\n"),
        ])
        let parsed = try NotebookLesson.parse(data, name: "mine", file: "mine.ipynb")
        #expect(parsed.lesson.title == "My notebook")
        #expect(parsed.seed == 7 && parsed.samples == 2000)
        let checks = parsed.lesson.cells
        #expect(checks.map(\.id) == ["gaussian.sum", "gaussian.density"])
        #expect(checks.map(\.index) == [4, 0], "%stream, else stream 0 as in the kernel")
        #expect(checks[0].yaml == "mean1: 2" && checks[0].line == 4 && checks[0].file == "mine.ipynb[cell 2]")
        #expect(parsed.lesson.plots.map(\.name) == ["schedules-alphabar"])
        #expect(parsed.skipped == ["cell 5: `calc alpha-bar --t 10` (a command the kernel runs; not a lesson cell)"])
    }

    @Test("%samples default and a tab after a magic's name, which the kernel accepts, read as in the kernel")
    func samplesDefault() throws {
        let parsed = try NotebookLesson.parse(Self.notebook([("code", "%samples default\ncheck gaussian.sum"), ("code", "%samples default\ncheck gaussian.density")]),
                                              name: "n", file: "n.ipynb")
        #expect(parsed.samples == nil && parsed.lesson.cells.map(\.id) == ["gaussian.sum", "gaussian.density"])
        let tabbed = try NotebookLesson.parse(Self.notebook([("code", "%seed\t9\n%samples \t 3000\ncheck gaussian.sum")]), name: "n", file: "n.ipynb")
        #expect(tabbed.seed == 9 && tabbed.samples == 3000, "a tab between a magic and its value, as the kernel accepts")
    }

    @Test("bad notebooks and bad magics say where and what is accepted")
    func errors() throws {
        func message(_ data: Data) -> String {
            do {
                _ = try NotebookLesson.parse(data, name: "n", file: "n.ipynb")
                return "parsed"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(Data("{".utf8)).hasPrefix("n.ipynb:1: not a Jupyter notebook: the file is not valid JSON"))
        #expect(message(Data("{\"nbformat\": 3, \"cells\": []}".utf8)).contains("nbformat 4"))
        #expect(message(Self.notebook([("code", "%seed 1\ncheck a.b"), ("code", "%seed 2\ncheck a.b")]))
            == "n.ipynb[cell 2]:1: %seed 2 after %seed 1: a notebook run as a lesson has one seed")
        #expect(message(Self.notebook([("code", "%seeds 1\ncheck a.b")])).contains("unknown magic \"%seeds 1\"; accepted: %seed N, %stream K"))
        #expect(message(Self.notebook([("code", "%stream -1\ncheck a.b")])).contains("%stream takes a whole number 0 or more"))
        #expect(message(Self.notebook([("code", "%samples 10\ncheck a.b")])).contains("500…100000000"))
        #expect(message(Self.notebook([("code", "%samples 2000\ncheck a.b"), ("code", "%samples default\ncheck a.b")]))
            == "n.ipynb[cell 2]:1: %samples default after %samples 2000: a notebook run as a lesson has one sample size")
        #expect(message(Self.notebook([("code", "check a b")])) .contains("n.ipynb[cell 1]:1: a check cell starts with `check ID`"))
        #expect(message(Self.notebook([("code", "plot x\nt: 1")]))
            == "n.ipynb[cell 1]:2: a plot cell takes no parameters (its figure is drawn from the seed): remove the lines after `plot x`")
        #expect(message(Self.notebook([("code", "frobnicate --now")])).contains("n.ipynb[cell 1]:1: \"frobnicate --now\" is not a cell this kernel runs; accepted:"))
        #expect(message(Self.notebook([("code", "%stream 2\nplot x")])) == "n.ipynb[cell 1]:1: %stream sets the random stream of a check cell: put it above `check ID`")
    }
}
