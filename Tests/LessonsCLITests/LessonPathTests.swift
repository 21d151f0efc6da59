import Foundation
import Testing

/// A learner's own lesson runs by its path, from any folder (no `Lessons/` needed).
@Suite("A lesson file given by its path")
struct LessonPathTests {
    @Test func runAndExportByPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("own-lesson-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("my-lesson.md")
        try "---\ntitle: Mine\nsummary: one check\n---\n\n# Mine\n\n```check gaussian.sum\nsamples: 20000\n```\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try Invocation(["run", file.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("my-lesson: 1 passed, 0 failed"))
        let out = folder.appendingPathComponent("out")
        let export = try Invocation(["export", file.path, "--format", "json", "--out", out.path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("my-lesson.json").path))
        let missing = try Invocation(["run", folder.appendingPathComponent("nope.md").path])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no lesson file at"))
    }
}

/// `lessons checks`: the ids a cell may call, one check's parameters and its mistakes.
@Suite("lessons checks")
struct ChecksCommandTests {
    @Test func listAndDetail() throws {
        let list = try Invocation(["checks"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("score.pf-ode") && list.stdout.contains("gaussian.sum"))
        let detail = try Invocation(["checks", "score.pf-ode", "--json"])
        #expect(detail.status == 0, "\(detail.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(detail.stdout.utf8)) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == 1 && checks[0]["id"] as? String == "score.pf-ode")
        let parameters = try #require(checks[0]["parameters"] as? [[String: Any]])
        #expect(parameters.contains { $0["name"] as? String == "sde-steps" && $0["yamlDefault"] as? String == "1000" })
        #expect((checks[0]["mistakes"] as? [[String: String]])?.map { $0["id"] ?? "" } == ["ode-full-g2", "sde-half-g2", "data-score"])
        let text = try Invocation(["checks", "gaussian.sum"])
        #expect(text.stdout.contains("Mistakes it is proven to catch"))
        let unknown = try Invocation(["checks", "score.nope"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown check 'score.nope'") && unknown.stderr.contains("score.pf-ode"))
    }
}
