import CheckCore
import Foundation
import Notebook
import NotebookExport
import Testing

@Suite("Check rows: verdicts and the JSON shape")
struct CheckRowTests {
    @Test("Monte-Carlo rows pass at |z| ≤ 5 and fail beyond")
    func monteCarlo() {
        #expect(CheckRow.monteCarlo("q", closedForm: 1, mean: 1.0049, stderr: 0.001, n: 100).pass)
        #expect(!CheckRow.monteCarlo("q", closedForm: 1, mean: 1.0051, stderr: 0.001, n: 100).pass)
        #expect(!CheckRow.monteCarlo("q", closedForm: 1, mean: 0.9949, stderr: 0.001, n: 100).pass)
        let row = CheckRow.monteCarlo("q", closedForm: 2, mean: 2, stderr: 0.01, n: 100)
        #expect(row.resolution == 0.05)  // 10·0.01/2: a 5 % error would give |z| = 10
    }

    @Test("exact rows pass within the relative tolerance only")
    func exact() {
        #expect(CheckRow.exact("q", closedForm: 1 + 5e-10, exact: 1).pass)
        #expect(!CheckRow.exact("q", closedForm: 1 + 2e-9, exact: 1).pass)
        #expect(!CheckRow.exact("q", closedForm: .nan, exact: 1).pass)
        #expect(CheckRow.exact("zero", closedForm: 1e-12, exact: 0, floor: 1).pass)
    }

    @Test("distribution rows pass at p ≥ 5.7e-7")
    func distribution() {
        #expect(CheckRow.distribution("d", statistic: 0.01, pValue: 1e-6, n: 10).pass)
        #expect(!CheckRow.distribution("d", statistic: 0.01, pValue: 1e-7, n: 10).pass)
    }

    @Test("JSON: every column present, null where it does not apply")
    func json() throws {
        let result = LessonResult(lesson: "demo", title: "Demo", seed: 1, checks: [
            CellResult(id: "demo.x", title: "x", line: 3, rows: [
                .monteCarlo("m", closedForm: 1, mean: 1, stderr: 0.1, n: 10),
                .exact("e", closedForm: 1, exact: 1),
            ], error: nil),
        ])
        let text = try JSONRenderer.encode(result)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["lesson"] as? String == "demo")
        #expect(object["passed"] as? Int == 1)
        #expect(object["failed"] as? Int == 0)
        let checks = try #require(object["checks"] as? [[String: Any]])
        let rows = try #require(checks.first?["rows"] as? [[String: Any]])
        let mc = try #require(rows[0]["monteCarlo"] as? [String: Any])
        #expect(mc["mean"] as? Double == 1 && mc["stderr"] as? Double == 0.1 && mc["n"] as? Int == 10)
        #expect(rows[0]["exact"] is NSNull)
        #expect(rows[1]["monteCarlo"] is NSNull)
        #expect(rows[1]["z"] is NSNull)
        for key in ["quantity", "closedForm", "monteCarlo", "exact", "z", "pass"] {
            #expect(rows.allSatisfy { $0[key] != nil }, "\(key)")
        }
    }
}

/// JSON has no infinities or NaN: such a value is null where it belongs, and the top-level
/// `nonFinite` gives its path and reason; finite output is exactly the encoder's.
@Suite("JSON of non-finite numbers")
struct NonFiniteJSONTests {
    struct Sample: Encodable {
        var z: Double
        var rows: [Double]
        var inner: [String: Double]
    }

    @Test func nullWithItsReason() throws {
        let text = try JSONRenderer.encode(Sample(z: .infinity, rows: [1, -.infinity, .nan], inner: ["a": 2]), pretty: false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["z"] is NSNull)
        let rows = try #require(object["rows"] as? [Any])
        #expect(rows.count == 3 && rows[0] as? Double == 1 && rows[1] is NSNull && rows[2] is NSNull)
        #expect((object["inner"] as? [String: Double])?["a"] == 2)
        let reasons = try #require(object["nonFinite"] as? [String: String])
        #expect(reasons == ["z": "+infinity", "rows[1]": "-infinity", "rows[2]": "nan"])
        #expect(!text.contains("Infinity") && !text.contains("NaN") && !text.contains("\\u0001"))
    }

    @Test func finiteOutputIsTheEncoders() throws {
        let sample = Sample(z: 0.5, rows: [1, 2.25], inner: ["path": 1e-300])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        #expect(try JSONRenderer.encode(sample) == String(decoding: try encoder.encode(sample), as: UTF8.self))
        #expect(!(try JSONRenderer.encode(sample)).contains("nonFinite"))
    }
}

@Suite("Terminal rendering")
struct TerminalRendererTests {
    @Test("tables with verdicts, the closing line, no escape codes without colour")
    func render() throws {
        let lesson = try LessonParser.parse(LessonParserTests.sample, name: "demo", file: "Lessons/demo.md")
        let result = try LessonRunner(registry: LessonParserTests.registry).run(lesson, seed: 1)
        let plain = TerminalRenderer(width: 80, color: false).render(lesson, result)
        #expect(plain.contains("demo: 2 passed, 0 failed"))
        #expect(plain.contains("ᾱₜ"))
        #expect(plain.contains("✓"))
        #expect(!plain.contains("\u{1B}["))
        let coloured = TerminalRenderer(width: 80, color: true).render(lesson, result)
        #expect(coloured.contains("\u{1B}[32m"))
    }

    @Test("prose wraps to the width")
    func wraps() throws {
        let words = Array(repeating: "word", count: 60).joined(separator: " ")
        let lesson = try LessonParser.parse(words, name: "w", file: "w.md")
        let text = TerminalRenderer(width: 40, color: false).render(lesson, LessonResult(lesson: "w", title: "w", seed: 1, checks: []))
        for line in text.split(separator: "\n") { #expect(line.count <= 40) }
    }
}

/// `AuditReport.problems`: what keeps an audit from proving anything, one line each.
@Suite struct AuditProblemsTests {
    static let passing = CheckDefinition(id: "demo.pass", title: "x = 1", parameters: [], mutations: [Mutation("two", "x = 2")]) { context in
        let x = context.mutated("two") ? 2.0 : 1.0
        return [.exact("x", closedForm: 1, exact: x)]
    }

    @Test func aSoundAuditHasNoProblems() {
        #expect(AuditReport([Self.passing]).problems.isEmpty)
    }

    @Test func eachKindOfProblemIsNamed() {
        #expect(AuditReport([]).problems == ["no checks", "no mutations"])
        let blind = CheckDefinition(id: "demo.blind", title: "always", parameters: [], mutations: [Mutation("any", "any")]) { _ in
            [.holds("nothing", value: 0, rule: "always", pass: true)]
        }
        #expect(AuditReport([blind]).problems == ["demo.blind/any: the mutation survived"])
        let silent = CheckDefinition(id: "demo.silent", title: "no rows", parameters: [], mutations: [Mutation("any", "any")]) { _ in [] }
        #expect(AuditReport([silent]).problems == ["demo.silent: the correct formula failed", "demo.silent/any: the mutation survived"])
    }
}
