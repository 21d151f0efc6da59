import Foundation
import Testing

@Suite("lessons export and run --cell", .serialized)
struct ExportCLITests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("export-test-\(UUID().uuidString)")
    }

    static func read(_ url: URL) -> Data { FileManager.default.contents(atPath: url.path) ?? Data() }

    /// The first export writes all four formats from one run of the lesson, the second one
    /// format per run: the same seed gives the same bytes either way. The samplers lesson is
    /// a short one with a figure and display math.
    @Test("every format is written, from one run or one run each, and the same seed gives byte-identical files")
    func formats() throws {
        let (first, second) = (Self.folder(), Self.folder())
        defer { for f in [first, second] { try? FileManager.default.removeItem(at: f) } }
        let formats = ["md", "ipynb", "html", "json"]
        let together = try Invocation(["export", "samplers", "--format", "md,ipynb", "--format", "html", "--format", "json,md",
                                       "--samples", "2000", "--out", first.path])
        #expect(together.status == 0, "\(together.stderr)")
        #expect(together.stderr.components(separatedBy: "samplers: 8 passed, 0 failed").count == 2, "one run of the lesson: \(together.stderr)")
        #expect(together.stderr.components(separatedBy: "wrote ").count == 5, "each format once: \(together.stderr)")
        for format in formats {
            let result = try Invocation(["export", "samplers", "--format", format, "--samples", "2000", "--out", second.path])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(result.stderr.contains("samplers: 8 passed, 0 failed"))
            if format == "md" { #expect(result.stderr.contains("samplers.md (and 1 file beside it)"), "\(result.stderr)") }
            let a = Self.read(first.appendingPathComponent("samplers.\(format)"))
            #expect(!a.isEmpty && a == Self.read(second.appendingPathComponent("samplers.\(format)")), "\(format) differs between runs")
        }
        let png = Self.read(first.appendingPathComponent("figures/samplers-order.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png == Self.read(second.appendingPathComponent("figures/samplers-order.png")))
        let markdown = String(decoding: Self.read(first.appendingPathComponent("samplers.md")), as: UTF8.self)
        #expect(markdown.contains("![samplers-order](figures/samplers-order.png)"))
        #expect(markdown.contains("`lessons run samplers --cell 1 --samples 2000`"))
        #expect(markdown.contains("$$"), "the lesson has display math")
        let page = String(decoding: Self.read(first.appendingPathComponent("samplers.html")), as: UTF8.self)
        #expect(page.contains("<svg") && !page.contains("$$"), "figures inline, math rendered")
    }

    @Test("the notebook is valid nbformat 4 by the reference validator (Debian's python3-nbformat)")
    func nbformatValid() throws {
        let out = Self.folder().appendingPathComponent("posterior.ipynb")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let result = try Invocation(["export", "posterior", "--format", "ipynb", "--samples", "2000", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let python = "/usr/bin/python3"
        try #require(FileManager.default.isExecutableFile(atPath: python), "needs \(python) with python3-nbformat (scripts/setup installs it)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import sys, nbformat
            nb = nbformat.read(sys.argv[1], as_version=4)
            nbformat.validate(nb)
            codes = [c for c in nb.cells if c.cell_type == "code"]
            heads = [next(l for l in c.source.splitlines() if not l.startswith("%")) for c in codes]
            assert all(h.split()[0] in ("check", "plot") for h in heads), heads
            assert codes[0].source.startswith("%seed 1\\n%samples 2000\\n"), "the run's settings"
            assert all(c.outputs for c in codes), "outputs"
            print(len(nb.cells), len(codes))
            """, out.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "nbformat rejected the notebook: \(output)")
    }

    @Test("run --cell N prints that cell alone, with the numbers of the whole run")
    func singleCell() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let export = try Invocation(["export", "forward", "--format", "json", "--samples", "2000", "--out", out.path])
        #expect(export.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Self.read(out.appendingPathComponent("forward.json"))) as? [String: Any])
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        let third = try #require(blocks.first { $0["number"] as? Int == 3 })
        let rows = try #require((third["result"] as? [String: Any])?["rows"] as? [[String: Any]])
        let z = try #require(rows.first?["z"] as? Double)
        let cell = try Invocation(["run", "forward", "--cell", "3", "--samples", "2000", "--json"])
        #expect(cell.status == 0, "\(cell.stderr)")
        let alone = try #require(try JSONSerialization.jsonObject(with: Data(cell.stdout.utf8)) as? [String: Any])
        let checks = try #require(alone["checks"] as? [[String: Any]])
        #expect(checks.count == 1 && checks.first?["id"] as? String == third["id"] as? String)
        #expect(((checks.first?["rows"] as? [[String: Any]])?.first?["z"] as? Double) == z, "same random stream as in the whole run")
        let plot = try Invocation(["run", "forward", "--cell", "6"])
        #expect(plot.status == 0 && plot.stdout.contains("figure forward-swissroll"))
    }

    @Test("a failing check still writes the export, and exits 1")
    func failing() throws {
        let lessons = Self.folder()
        try FileManager.default.createDirectory(at: lessons, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: lessons) }
        try "# F\n\n```check gaussian.kl-diagonal\nmean1: [0, 1]\n```\n".write(to: lessons.appendingPathComponent("f.md"), atomically: true, encoding: .utf8)
        let out = lessons.appendingPathComponent("out")
        let result = try Invocation(["export", "f", "--format", "html", "--out", out.path, "--lessons-dir", lessons.path])
        #expect(result.status == 1)
        let page = String(decoding: Self.read(out.appendingPathComponent("f.html")), as: UTF8.self)
        #expect(page.contains("class=\"cell fail\"") && page.contains("f: 0 passed, 1 failed"))
    }

    @Test("bad arguments: a message and a non-zero exit, never a crash or a half-written file", arguments: [
        (["export", "forward", "--format", "pdf"], Int32(64), "pdf"),
        (["export", "nope", "--format", "md"], 64, "unknown lesson 'nope'"),
        (["export", "all", "--format", "md", "--out", "one.md"], 64, "need a folder"),
        (["export", "forward", "--format", "md,ipynb", "--out", "one.md"], 64, "2 formats (md, ipynb) need a folder"),
        (["export", "forward", "--format", "md,pdf"], 64, "'md', 'ipynb', 'html' or 'json'"),
        (["export", "forward", "--format", "md,"], 64, "'md,' is invalid"),
        (["export", "forward", "--out", ""], 64, "--out"),
        (["export", "forward", "--samples", "5"], 64, "--samples"),
        (["export", "forward", "--samples", "2000", "--out", "/proc/no/such/place"], 4, "cannot write"),
        (["run", "forward", "--cell", "0"], 64, "--cell"),
        (["run", "forward", "--cell", "18"], 64, "1…17"),
        (["run", "all", "--cell", "1"], 64, "one lesson"),
    ])
    func badArguments(arguments: [String], status: Int32, message: String) throws {
        let result = try Invocation(arguments)
        #expect(!result.crashed)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
}
