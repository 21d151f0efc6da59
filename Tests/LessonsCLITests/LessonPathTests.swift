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
