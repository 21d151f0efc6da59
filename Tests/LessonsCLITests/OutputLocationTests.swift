import Foundation
import Testing

/// An output path is proven writable before the work (exit 4 at once, nothing run or
/// trained), and an export file named for another format is refused (exit 64), instead of
/// becoming a folder of that name.
@Suite("Output paths are checked before the work")
struct OutputLocationTests {
    @Test("an unwritable --out fails before any work, exit 4", arguments: [
        (["export", "gaussian", "--format", "html", "--out", "/proc/forbidden/x.html"], "gaussian:"),
        (["export", "all", "--out", "/proc/forbidden"], "gaussian:"),
        (["train", "toy", "swissroll", "--steps", "200", "--out", "/proc/forbidden/x.safetensors"], "step"),
        (["sample", "swissroll", "--out", "/proc/forbidden/s.csv"], "sampling"),
        (["generate", "sneaker", "--out", "/proc/forbidden/x.png", "--n", "1", "--steps", "2"], "step"),
    ])
    func unwritable(arguments: [String], workMarker: String) throws {
        let result = try Invocation(arguments)
        #expect(result.status == 4, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("--out /proc/forbidden: cannot write there"), "\(result.stderr)")
        #expect(!result.stderr.contains(workMarker), "\(arguments) started its work first: \(result.stderr)")
    }

    @Test("an export file named for another format is refused, and no folder of that name appears")
    func wrongExtension() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("x.md").path
        let result = try Invocation(["export", "gaussian", "--format", "html", "--out", target])
        #expect(result.status == 64)
        #expect(result.stderr.contains("ends in .md but the format is html"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
