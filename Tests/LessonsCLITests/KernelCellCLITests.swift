import Foundation
@testable import LessonsCLI
import Notebook
import Testing

/// `lessons kernel cell`, the Jupyter kernel's door to the binary: the state after the cell's
/// magics as one JSON line, the cell's one-cell notebook, and errors at the cell's own lines.
@Suite("lessons kernel cell")
struct KernelCellCLITests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kernel-cell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func state(_ result: Invocation) throws -> [String: Any] {
        let line = try #require(result.stdout.split(separator: "\n").first, "no state line: \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("a check cell: the state, then its notebook with the rows of that seed and sample size")
    func check() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("cell.ipynb")
        let result = try Invocation(["kernel", "cell", "--seed", "4", "--samples", "3000", "--out", out.path],
                                    input: "%seed 5\n%timeout 30\ncheck gaussian.sum\nmean1: 0.5\n")
        #expect(result.status == 0, "\(result.stderr)")
        let state = try state(result)
        #expect(state["seed"] as? Int == 5 && state["samples"] as? Int == 3000 && state["timeout"] as? Double == 30)
        #expect(state["kind"] as? String == "check" && state["magics"] as? [String] == ["seed", "timeout"])
        let notebook = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let cells = try #require(notebook["cells"] as? [[String: Any]]).filter { $0["cell_type"] as? String == "code" }
        #expect(cells.count == 1)
        let outputs = try #require(cells.first?["outputs"] as? [[String: Any]])
        let data = try #require(outputs.first?["data"] as? [String: Any])
        let check = try #require(data["application/vnd.lessons.check+json"] as? [String: Any])
        #expect(check["id"] as? String == "gaussian.sum" && check["seed"] as? Int == 5 && check["samples"] as? Int == 3000)
        #expect((check["rows"] as? [Any])?.isEmpty == false)
    }

    @Test("magics only, a command and `%samples default`: the state and the words, nothing run")
    func stateOnly() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("cell.ipynb").path
        let magics = try Invocation(["kernel", "cell", "--samples", "3000", "--out", out], input: "%samples default\n%seed 9")
        let after = try state(magics)
        #expect(magics.status == 0 && after["kind"] as? String == "none")
        #expect(after["samples"] is NSNull && after["seed"] as? Int == 9)
        let command = try Invocation(["kernel", "cell", "--out", out], input: "lessons calc alpha-bar --t '10'")
        let words = try state(command)["arguments"] as? [String]
        #expect(command.status == 0 && words == ["calc", "alpha-bar", "--t", "10"])
        #expect(!FileManager.default.fileExists(atPath: out), "nothing was run")
    }

    @Test("errors are exit 2 at the cell's own lines; the kernel's cap; the time limit is exit 124", arguments: [
        ("check gaussian.sum\nmean1: 1\nsamples: [1\n", Int32(2), "line 3: cell parameters are not valid YAML"),
        ("check gausian.sum", 2, "line 1: unknown check 'gausian.sum': did you mean gaussian.sum?"),
        ("\ncheck gaussian.sum\nsamples: 50000000", 2, "line 3: samples: 50000000 is above the kernel's cap of 10000000"),
        ("%samples 20000000\ncheck gaussian.sum", 2, "line 1: %samples takes a sample size in 500…10000000"),
        ("train toy", 2, "line 1: \"train toy\" is not a cell this kernel runs"),
        ("plot no-such-figure", 2, "line 1: unknown figure 'no-such-figure'"),
        ("%timeout 1\ncheck toy.pretrained\nsamples: 100000", 124,
         "the cell ran longer than 1 s and was stopped; use fewer samples, or raise the limit with %timeout SECONDS (at most 3600)"),
    ])
    func errors(source: String, status: Int32, message: String) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Invocation(["kernel", "cell", "--out", folder.appendingPathComponent("cell.ipynb").path], input: source)
        #expect(!result.crashed)
        #expect(result.status == status, "\(source): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(source): \(result.stderr)")
    }

    /// The kernel reads its completion words and its wait's bound from here, so they are the
    /// grammar's own values, and the magics are those a cell's magic lines accept.
    @Test("`kernel language` prints the grammar's commands, magics, figures and time limits")
    func language() throws {
        let result = try Invocation(["kernel", "language"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["commands", "figures", "magics", "samplesCap", "timeLimitMessage", "timeout", "timeoutRange"])
        let template = try #require(object["timeLimitMessage"] as? String)
        #expect(template.replacingOccurrences(of: "{seconds}", with: "1") == KernelCell.timeLimitMessage(1))
        #expect(object["commands"] as? [String] == KernelCell.commands)
        let figures = try #require(object["figures"] as? [String])
        #expect(figures == FigureLibrary.names && figures.contains("schedules-alphabar"))
        #expect(object["magics"] as? [String] == ["seed", "stream", "samples", "timeout"])
        #expect(object["samplesCap"] as? Int == LessonsCommand.Kernel.Cell.samplesCap)
        #expect(object["timeout"] as? Double == 120 && object["timeoutRange"] as? [Double] == [1, 3600])
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("cell.ipynb").path
        for magic in try #require(object["magics"] as? [String]) {
            let value = magic == "timeout" ? "30" : "1000"
            let cell = try Invocation(["kernel", "cell", "--out", out], input: "%\(magic) \(value)\ncheck gaussian.sum\nsamples: 1000")
            let magics = try state(cell)["magics"] as? [String]
            #expect(cell.status == 0 && magics == [magic], "%\(magic): \(cell.stderr)")
        }
        let defaults = try state(try Invocation(["kernel", "cell", "--out", out], input: "%seed 2"))
        #expect(defaults["timeout"] as? Double == object["timeout"] as? Double, "the time limit without --timeout")
    }
}
