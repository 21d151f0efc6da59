import CheckCore
import Foundation
import LessonsCLI
import Notebook
import Testing

/// Runs the built `lessons` binary (it sits beside the test bundle) and captures its output.
struct Invocation {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Killed by a signal (a crash) rather than exiting.
    let crashed: Bool

    static let binary: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("lessons")
    }()

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `environment` adds or replaces variables of the test's own environment; `unsetting` removes them.
    /// `input`, when given, is the child's standard input.
    init(_ arguments: [String], environment: [String: String] = [:], unsetting: [String] = [],
         directory: URL = Invocation.repository, input: String? = nil) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LESSONS_DIR")
        for (key, value) in environment { env[key] = value }
        for key in unsetting { env.removeValue(forKey: key) }
        process.environment = env
        // Output goes to files, so that no pipe can fill up and block the child.
        let folder = FileManager.default.temporaryDirectory
        let outURL = folder.appendingPathComponent("lessons-out-\(UUID().uuidString)")
        let errURL = folder.appendingPathComponent("lessons-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        if let input {
            let inURL = folder.appendingPathComponent("lessons-in-\(UUID().uuidString)")
            try Data(input.utf8).write(to: inURL)
            defer { try? FileManager.default.removeItem(at: inURL) }
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        status = process.terminationStatus
        crashed = process.terminationReason == .uncaughtSignal
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }
}

@Suite("The lessons command", .serialized)
struct CLITests {
    @Test("list names every lesson with its summary, wrapped to the terminal's width, scripts in Unicode")
    func list() throws {
        let result = try Invocation(["list"], environment: ["COLUMNS": "70"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        let heads = lines.filter { !$0.hasPrefix(" ") }.map { String($0.prefix { $0 != " " }) }
        #expect(heads.count >= 10 && heads == heads.sorted() && heads.contains("gaussian"), "\(heads)")
        #expect(lines.allSatisfy { $0.count <= 70 } && lines.count > heads.count, "wrapped")
        #expect(result.stdout.contains("Lₜ₋₁") && !result.stdout.contains("L_{t-1}"))
    }

    @Test("run gaussian: prose, tables, verdicts and the closing line; no colour off a TTY")
    func runText() throws {
        let result = try Invocation(["run", "gaussian", "--samples", "5000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("gaussian: "))
        #expect(result.stdout.contains(" passed, 0 failed"))
        #expect(result.stdout.contains("✓"))
        #expect(!result.stdout.contains("\u{1B}["))
        #expect(!result.stdout.contains("$"), "LaTeX left unconverted")
    }

    @Test("on a terminal a lesson taller than the screen goes through the pager; --no-pager and --quiet print it directly")
    func pager() throws {
        let script = "/usr/bin/script"  // util-linux: runs the command on a pseudo-terminal
        try #require(FileManager.default.isExecutableFile(atPath: script), "needs \(script) (Debian's bsdutils)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-pager-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func onTerminal(_ options: String, pagedTo name: String) throws -> (screen: String, paged: String?) {
            let paged = folder.appendingPathComponent(name)
            let command = "stty rows 30 cols 90; LESSONS_PAGER='cat > \(paged.path)' '\(Invocation.binary.path)' run gaussian --samples 1000 \(options)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: script)
            process.arguments = ["-qec", command, "/dev/null"]
            process.currentDirectoryURL = Invocation.repository
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let screen = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(screen.suffix(500))")
            return (screen, try? String(contentsOf: paged, encoding: .utf8))
        }
        let paged = try onTerminal("", pagedTo: "a.txt")
        #expect(!paged.screen.contains("passed") && !paged.screen.contains("quantity"), "the pager had the lesson, the screen only the progress")
        #expect(paged.paged?.contains("gaussian: 18 passed, 0 failed") == true && (paged.paged?.split(separator: "\n").count ?? 0) > 100)
        let direct = try onTerminal("--no-pager", pagedTo: "b.txt")
        #expect(direct.paged == nil && direct.screen.contains("gaussian: 18 passed, 0 failed"))
        let quiet = try onTerminal("--quiet", pagedTo: "c.txt")
        #expect(quiet.paged == nil && quiet.screen.contains("gaussian: 18 passed, 0 failed"))
    }

    @Test("bash completion: lesson names after run, check ids after checks, from the binary itself")
    func completion() throws {
        let bash = "/bin/bash"
        try #require(FileManager.default.isExecutableFile(atPath: bash))
        let generated = try Invocation(["--generate-completion-script", "bash"])
        #expect(generated.status == 0 && generated.stdout.contains("_lessons"), "\(generated.stderr)")
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-completion-\(ProcessInfo.processInfo.processIdentifier).bash")
        try generated.stdout.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        func complete(_ line: String) throws -> [String] {
            let words = line.split(separator: " ", omittingEmptySubsequences: false).map { "'\($0)'" }.joined(separator: " ")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: bash)
            process.arguments = ["-c", """
                source '\(script.path)'
                COMP_WORDS=(\(words)); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
                _lessons lessons "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """]
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = Invocation.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            process.environment = environment
            process.currentDirectoryURL = Invocation.repository
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return output.split(separator: "\n").map(String.init)
        }
        #expect(try complete("lessons run ga") == ["gaussian"])
        #expect(Set(try complete("lessons export ")).isSuperset(of: ["gaussian", "posterior", "all"]))
        let ids = try complete("lessons checks gaussian.s")
        #expect(ids.contains("gaussian.sum") && ids.allSatisfy { $0.hasPrefix("gaussian.s") }, "\(ids)")
    }

    @Test("--version prints the tool's name and version and exits 0")
    func version() throws {
        let result = try Invocation(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("lessons ") && result.stdout.split(separator: "\n").count == 1, "\(result.stdout)")
        #expect(result.stdout.range(of: #"^lessons \d+\.\d+\.\d+"#, options: .regularExpression) != nil)
    }

    @Test("run --stream K gives a check copied out of a lesson the lesson's numbers; an .ipynb in the kernel's language runs")
    func streamAndNotebook() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-stream-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let whole = try Invocation(["run", "gaussian", "--json", "--samples", "2000"])
        let checks = try #require((try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any])?["checks"] as? [[String: Any]])
        let fourth = try #require(checks.count > 3 ? checks[3] : nil)
        let id = try #require(fourth["id"] as? String)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Lessons/gaussian.md"), encoding: .utf8)
        let yaml = try #require(source.components(separatedBy: "```check \(id)\n").dropFirst().first?.components(separatedBy: "```").first)
        let file = folder.appendingPathComponent("one.md")
        try "# one\n\n```check \(id)\n\(yaml)```\n".write(to: file, atomically: true, encoding: .utf8)
        func rows(_ arguments: [String]) throws -> String {
            let result = try Invocation(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let first = try #require((object?["checks"] as? [[String: Any]])?.first)
            return String(decoding: try JSONSerialization.data(withJSONObject: first["rows"] ?? [], options: .sortedKeys), as: UTF8.self)
        }
        let expected = String(decoding: try JSONSerialization.data(withJSONObject: fourth["rows"] ?? [], options: .sortedKeys), as: UTF8.self)
        #expect(try rows(["run", file.path, "--json", "--samples", "2000", "--stream", "3"]) == expected)
        #expect(try rows(["run", file.path, "--json", "--samples", "2000"]) != expected, "stream 0 draws other numbers")
        let notebook = folder.appendingPathComponent("one.ipynb")
        let cell = "%seed 1\n%samples 2000\n%stream 3\ncheck \(id)\n\(yaml)"
        let document: [String: Any] = ["nbformat": 4, "nbformat_minor": 5, "metadata": [String: String](), "cells": [
            ["cell_type": "markdown", "metadata": [String: String](), "source": "# One check"],
            ["cell_type": "code", "metadata": [String: String](), "source": cell, "outputs": [Any](), "execution_count": NSNull()],
            ["cell_type": "code", "metadata": [String: String](), "source": "calc alpha-bar", "outputs": [Any](), "execution_count": NSNull()],
        ]]
        try JSONSerialization.data(withJSONObject: document).write(to: notebook)
        #expect(try rows(["run", notebook.path, "--json"]) == expected, "the notebook's %seed, %samples and %stream")
        let skipped = try Invocation(["run", notebook.path, "--quiet"])
        #expect(skipped.stderr.contains("skipped cell 3: `calc alpha-bar`"), "\(skipped.stderr)")
        let missing = try Invocation(["run", folder.appendingPathComponent("none.ipynb").path])
        #expect(missing.status == 64 && missing.stderr.contains("no notebook at"), "\(missing.stderr)")
    }

    @Test("run --quiet: one line per check, a claim's with its verdict, and the totals; no prose or tables; with --json it is a usage error")
    func runQuiet() throws {
        let result = try Invocation(["run", "gaussian", "--quiet", "--samples", "5000"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(lines.first == "gaussian: The Gaussian toolkit behind DDPM" && lines.last == "gaussian: 18 passed, 0 failed", "\(lines.first ?? "") … \(lines.last ?? "")")
        let checks = lines.dropFirst().dropLast()
        #expect(checks.count == 18 && checks.allSatisfy { $0.hasPrefix("✓ ") && $0.contains(" gaussian.") })
        #expect(!result.stdout.contains("quantity") && !result.stdout.contains("$"))
        let claim = try Invocation(["run", "notes", "--quiet", "--cell", "2"])
        #expect(claim.status == 0 && claim.stdout.contains("✓ 2 notes.gaussian-sum — verdict: true"), "\(claim.stdout)")
        let both = try Invocation(["run", "gaussian", "--quiet", "--json"])
        #expect(both.status == 64 && both.stderr.contains("choose one"), "\(both.stderr)")
    }

    @Test("run gaussian --json has the documented shape")
    func runJSON() throws {
        let result = try Invocation(["run", "gaussian", "--samples", "5000", "--json", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["lesson"] as? String == "gaussian")
        let passed = try #require(object["passed"] as? Int)
        #expect(passed >= 10)
        #expect(object["failed"] as? Int == 0)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == passed)
        for check in checks {
            #expect(check["id"] is String)
            let rows = try #require(check["rows"] as? [[String: Any]])
            #expect(!rows.isEmpty, "no rows")
            for row in rows {
                for key in ["quantity", "closedForm", "monteCarlo", "exact", "z", "pass"] {
                    #expect(row[key] != nil, "\(key) missing in \(check["id"] ?? "?")")
                }
                if let mc = row["monteCarlo"] as? [String: Any] {
                    #expect(mc["mean"] is Double && mc["stderr"] is Double && mc["n"] is Int)
                }
            }
        }
    }

    @Test("the same seed gives the same output")
    func reproducible() throws {
        let first = try Invocation(["run", "gaussian", "--samples", "2000", "--json", "--seed", "9"])
        let second = try Invocation(["run", "gaussian", "--samples", "2000", "--json", "--seed", "9"])
        #expect(first.stdout == second.stdout)
    }

    @Test("an unknown lesson lists the lessons and exits 64")
    func unknownLesson() throws {
        let result = try Invocation(["run", "nosuch"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown lesson 'nosuch'"))
        #expect(result.stderr.contains("gaussian"))
    }

    @Test("bad arguments: a message, an exit status in 1…127, never a crash", arguments: [
        ["run", "gaussian", "--samples", "-5"],
        ["run", "gaussian", "--samples", "0"],
        ["run", "gaussian", "--samples", "abc"],
        ["run", "gaussian", "--samples", "1e308"],
        ["run", "gaussian", "--samples", "99999999999999999999999"],
        ["run", "gaussian", "--seed", "-1"],
        ["run", "gaussian", "--seed", "NaN"],
        ["run", "gaussian", "--seed", ""],
        ["run", "gaussian", "--lessons-dir", "/nonexistent/path"],
        ["run", ""],
        ["run", "ünïcødé ✓"],
        ["run"],
        ["frobnicate"],
        ["bench", "nothing"],
        ["bench", "normal", "--count", "0"],
        ["bench", "normal", "--repeats", "-3"],
        ["list", "--lessons-dir", ""],
        ["calc", "schedule", "--schedule", "quadratic"],
        ["calc", "schedule", "--schedule", "linear", "--T", "0"],
        ["calc", "schedule", "--schedule", "linear", "--T", "1e308"],
        ["calc", "schedule", "--schedule", "linear", "--beta-start", "NaN"],
        ["calc", "schedule", "--schedule", "linear", "--beta-start", "0.5", "--beta-end", "0.1"],
        ["calc", "schedule", "--schedule", "cosine", "--beta-end", "0.1"],
        ["calc", "schedule", "--schedule", "sigmoid", "--T", "1", "--zero-terminal-snr"],
        ["calc", "schedule"],
        ["calc", "posterior", "--schedule", "linear", "--t", "0", "--x0", "1", "--xt", "1"],
        ["calc", "posterior", "--schedule", "linear", "--t", "1001", "--x0", "1", "--xt", "1"],
        ["calc", "posterior", "--schedule", "linear", "--t", "5", "--xt", "1"],
        ["calc", "posterior", "--schedule", "linear", "--t", "5", "--x0", "1", "--eps", "1", "--xt", "1"],
        ["calc", "posterior", "--schedule", "linear", "--t", "5", "--x0", "inf", "--xt", "1"],
        ["calc", "posterior", "--schedule", "linear", "--zero-terminal-snr", "--t", "1000", "--eps", "1", "--xt", "1"],
        ["calc", "ddim-step", "--schedule", "linear", "--t", "5", "--s", "5", "--xt", "1", "--eps", "0"],
        ["calc", "ddim-step", "--schedule", "linear", "--t", "5", "--xt", "1", "--eps", "0", "--eta", "-1"],
        ["calc", "ddim-step", "--schedule", "linear", "--zero-terminal-snr", "--t", "1000", "--xt", "1", "--eps", "0"],
        ["calc", "convert", "--schedule", "linear", "--t", "5", "--from", "score", "--value", "1", "--xt", "1"],
        ["calc", "convert", "--schedule", "linear", "--t", "0", "--from", "epsilon", "--value", "1", "--xt", "1"],
        ["calc", "weight", "--schedule", "linear", "--t", "5", "--gamma", "0"],
        ["calc", "cfg", "--uncond", "1,2", "--cond", "1", "--scale", "7.5"],
        ["calc", "cfg", "--uncond", "1", "--cond", "2", "--scale", "7.5", "--rescale", "0.7"],
        ["calc", "cfg", "--uncond", "1,2", "--cond", "1,nan", "--scale", "7.5"],
        ["calc", "cfg", "--uncond", "1", "--cond", "2", "--scale", "1", "--convention", "imagen"],
        ["calc", "kl", "--mean1", "0", "--var1", "0", "--mean2", "0", "--var2", "1"],
        ["calc", "kl", "--mean1", "NaN", "--var1", "1", "--mean2", "0", "--var2", "1"],
        ["calc", "decoder-nll", "--x0", "2", "--mean", "0", "--log-scale", "0"],
        ["calc", "decoder-nll", "--x0", "0", "--mean", "0", "--log-scale", "720"],
        ["calc", "vlb", "--schedule", "linear", "--T", "1", "--data-mean", "0", "--data-var", "1", "--x0", "0"],
        ["calc", "vlb", "--schedule", "linear", "--zero-terminal-snr", "--data-mean", "0", "--data-var", "1", "--x0", "0"],
        ["calc", "vlb", "--schedule", "linear", "--data-mean", "0", "--data-var", "-1", "--x0", "0"],
        ["false-alarms", "--seeds", "0"],
        ["audit", "--seed", "-3"],
        ["plot", "nothing"],
        ["plot", "schedules", "--out", ""],
        ["plot"],
        ["train"],
        ["train", "spiral"],
        ["train", "toy", "spiral"],
        ["train", "latent", "swissroll"],
        ["train", "toy", "swissroll", "--epochs", "2"],
        ["train", "latent", "classifier", "--steps", "10"],
        ["train", "latent", "classifier", "--test-images", "0"],
        ["train", "toy", "moons", "--steps", "0"],
        ["train", "swissroll", "--steps", "0"],
        ["train", "swissroll", "--steps", "-5"],
        ["train", "swissroll", "--steps", "1e308"],
        ["train", "swissroll", "--seed", "-1"],
        ["train", "swissroll", "--out", "model.txt"],
        ["train", "swissroll", "--out", ""],
        ["train", "swissroll", "--lr-schedule", "linear"],
        ["train", "swissroll", "--checkpoint-every", "0"],
        ["train", "swissroll", "--resume", "--out", "/nonexistent/x.safetensors"],
        ["train", "swissroll", "--steps", "1", "--out", "/proc/forbidden/x.safetensors"],
        ["sample", "swissroll"],
        ["sample", "swissroll", "--out", "s.csv", "--n", "0"],
        ["sample", "swissroll", "--out", "s.csv", "--n", "NaN"],
        ["sample", "swissroll", "--out", "s.csv", "--eta", "2"],
        ["sample", "swissroll", "--out", "s.csv", "--sampler", "plms"],
        ["sample", "swissroll", "--out", "s.csv", "--sampler", "dpm++2m", "--spacing", "uniform"],
        ["generate", "sneaker", "--out", "g.png", "--sampler", "plms"],
        ["bench", "samplers", "--bar", "1"],
        ["bench", "samplers", "--sampler-seeds", "0"],
        ["sample", "swissroll", "--out", "s.csv", "--sampler", "ddim", "--steps", "0"],
        ["sample", "swissroll", "--out", "s.csv", "--checkpoint", "/nonexistent.safetensors"],
        ["sample", "swissroll", "--out", "s.csv", "--checkpoint", "Lessons/gaussian.md"],
        ["sample", "swissroll", "--out", "s.csv", "--checkpoint", ""],
        ["sample", "swissroll", "--out", "", "--n", "5"],
        ["sample", "swissroll", "--out", "s.csv", "--clip-denoised", "0"],
        ["sample", "swissroll", "--out", "s.csv", "--clip-denoised", "nan"],
        ["sample", "ünïcødé", "--out", "s.csv"],
        ["bench", "toy", "--train-steps", "0"],
        ["bench", "toy", "--threads", "0"],
        ["bench", "unet", "--unet-steps", "0"],
        ["bench", "unet", "--threads", "NaN"],
        ["train", "unet", "--steps", "10"],
        ["train", "swissroll", "--epochs", "2"],
        ["train", "classifier", "--epochs", "0"],
        ["train", "classifier", "--examples", "60001"],
        ["train", "autoencoder", "--weights", "w.txt"],
        ["train", "autoencoder", "--lr", "NaN"],
        ["train", "classifier", "--lr-schedule", "cosine"],
        ["train", "classifier", "--t-power", "2"],
        ["train", "swissroll", "--t-power", "0.5"],
        ["train", "swissroll", "--t-power", "nan"],
        ["train", "swissroll", "--clip-norm", "0"],
        ["train", "swissroll", "--clip-norm", "inf"],
        ["train", "classifier", "--clip-norm", "1"],
        ["train", "unet", "--autoencoder", "/nonexistent/a.safetensors", "--examples", "10"],
        ["train", "unet", "--autoencoder", "Lessons/gaussian.md", "--examples", "10"],
        ["train", "classifier", "--resume", "--out", "/nonexistent/c.safetensors"],
        ["generate"],
        ["generate", "a red sneaker", "--out", "x.png"],
        ["generate", "sneaker sneaker sneaker sneaker", "--out", "x.png"],
        ["generate", "sneaker", "--out", "x.jpg"],
        ["generate", "sneaker", "--out", ".png"],
        ["generate", "sneaker", "--out", "x.png", "--n", "0"],
        ["generate", "sneaker", "--out", "x.png", "--guidance", "-1"],
        ["generate", "sneaker", "--out", "x.png", "--guidance", "inf"],
        ["generate", "sneaker", "--out", "x.png", "--steps", "1001"],
        ["generate", "sneaker", "--out", "x.png", "--eta", "NaN"],
        ["generate", "sneaker", "--out", "x.png", "--unet", "/nonexistent/u.safetensors"],
        ["generate", "sneaker", "--out", "x.png", "--unet", "Lessons/gaussian.md"],
        ["generate", "sneaker", "--out", "x.npy", "--unet", ""],
        ["generate", "sneaker", "--out", "/proc/forbidden/x.png", "--n", "1", "--steps", "1"],
        ["eval"],
        ["eval", "pixels"],
        ["eval", "latent", "--per-class", "0"],
        ["eval", "latent", "--guidance", "51"],
        ["eval", "latent", "--classifier", "/nonexistent/c.safetensors", "--per-class", "1", "--steps", "1"],
        ["eval", "latent", "--class", "shirts", "--per-class", "1", "--steps", "1"],
        ["eval", "latent", "--class", "shirt", "--per-class", "1", "--steps", "1"],
        ["verify"],
        ["verify", "/nonexistent/trace.json"],
        ["verify", "Lessons/gaussian.md"],
        ["verify", "--config", "/nonexistent/scheduler_config.json"],
        ["verify", "--config", "Package.swift"],
        ["verify", "--config", "docs/verify.md", "--steps", "0"],
    ])
    func badArguments(arguments: [String]) throws {
        let result = try Invocation(arguments)
        #expect(!result.crashed, "\(arguments) crashed: \(result.stderr)")
        #expect(result.status > 0 && result.status < 128, "\(arguments) exited \(result.status)")
        #expect(!result.stderr.isEmpty, "\(arguments) gave no message")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
    }

    @Test("a malformed lesson exits 2 naming the file and line")
    func malformedLesson() throws {
        let folder = try temporaryLessons(["bad.md": "# Bad\n\n```check gaussian.sum\nvariance1: -1\n```\n"])
        let result = try Invocation(["run", "bad", "--lessons-dir", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/bad.md:4:"), "\(result.stderr)")
        #expect(result.stderr.contains("expected a number in"))
        let unknown = try temporaryLessons(["bad.md": "# Bad\n\n```check gaussian.nope\n```\n"])
        let second = try Invocation(["run", "bad", "--lessons-dir", unknown.path])
        #expect(second.status == 2)
        #expect(second.stderr.contains("unknown check 'gaussian.nope'") && second.stderr.contains("gaussian.sum"))
    }

    @Test("a check that cannot be established fails the run with exit 1")
    func failingCheck() throws {
        let text = "# F\n\n```check gaussian.kl-diagonal\nmean1: [0, 1]\n```\n"
        let folder = try temporaryLessons(["f.md": text])
        let result = try Invocation(["run", "f", "--lessons-dir", folder.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("0 passed, 1 failed"))
        #expect(result.stdout.contains("same length"))
    }

    @Test("calc schedule --json: T, β, α, ᾱ in full precision, index i ↔ t = i + 1")
    func calcSchedule() throws {
        let result = try Invocation(["calc", "schedule", "--schedule", "linear", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["T"] as? Int == 1000)
        let beta = try #require(object["beta"] as? [Double])
        let alphaBar = try #require(object["alphaBar"] as? [Double])
        #expect(beta.count == 1000 && (object["alpha"] as? [Double])?.count == 1000 && alphaBar.count == 1000)
        // The 50-digit reference: β₂ = 1.1991991991991992e-4, ᾱ₁₀₀₀ = 4.0358297653756833e-5.
        #expect(abs(beta[1] - 1.1991991991991992e-4) / 1.1991991991991992e-4 < 1e-15)
        #expect(abs(alphaBar[999] - 4.0358297653756833e-5) / 4.0358297653756833e-5 < 1e-12)
        let zero = try Invocation(["calc", "schedule", "--schedule", "scaled-linear", "--zero-terminal-snr", "--json"])
        let rescaled = try #require(try JSONSerialization.jsonObject(with: Data(zero.stdout.utf8)) as? [String: Any])
        #expect((rescaled["alphaBar"] as? [Double])?.last == 0)
        let text = try Invocation(["calc", "schedule", "--schedule", "cosine", "--T", "10"])
        #expect(text.status == 0)
        #expect(text.stdout.split(separator: "\n").count == 12)
    }

    @Test("plot schedules writes SVG and PNG files atomically and draws them as text")
    func plot() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plots-\(UUID().uuidString)")
        let result = try Invocation(["plot", "schedules", "--out", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["schedules-alphabar.png", "schedules-alphabar.svg", "schedules-beta.png", "schedules-beta.svg",
                          "schedules-logsnr.png", "schedules-logsnr.svg", "schedules-sqrt.png", "schedules-sqrt.svg"])
        let png = try Data(contentsOf: folder.appendingPathComponent("schedules-beta.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let svg = try String(contentsOf: folder.appendingPathComponent("schedules-sqrt.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("</svg>"))
        #expect(result.stdout.contains("ᾱₜ of each schedule"))
        let bad = try Invocation(["plot", "forward", "--out", "/etc/hostname/plots"])
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("forward-swissroll"))
    }

    @Test("calc posterior: the documented keys, full precision, the ε route")
    func calcPosterior() throws {
        let result = try Invocation(["calc", "posterior", "--schedule", "linear", "--t", "2", "--x0", "0.5", "--xt", "0.4", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["mean", "variance", "logVarianceClipped", "coef1", "coef2"] { #expect(object[key] is Double, "\(key)") }
        // β̃₂ = (1 − ᾱ₁)/(1 − ᾱ₂)·β₂ from the 50-digit values β₁ = 1e-4, β₂ = 1.1991991991991992e-4.
        let (b1, b2) = (1e-4, 1.1991991991991992e-4)
        let expected = b1 / (1 - (1 - b1) * (1 - b2)) * b2
        #expect(abs((object["variance"] as? Double ?? 0) - expected) / expected < 1e-13)
        let viaEps = try Invocation(["calc", "posterior", "--schedule", "cosine", "--t", "300", "--eps", "0.7", "--xt", "0.2", "--json"])
        let eps = try #require(try JSONSerialization.jsonObject(with: Data(viaEps.stdout.utf8)) as? [String: Any])
        let x0 = try #require(eps["x0"] as? Double)
        let viaX0 = try Invocation(["calc", "posterior", "--schedule", "cosine", "--t", "300", "--x0=\(x0)", "--xt", "0.2", "--json"])
        let direct = try #require(try JSONSerialization.jsonObject(with: Data(viaX0.stdout.utf8)) as? [String: Any])
        let (a, b) = (try #require(eps["mean"] as? Double), try #require(direct["mean"] as? Double))
        #expect(abs(a - b) <= 1e-14 * max(abs(a), 1))
    }

    @Test("calc kl, decoder-nll and vlb: JSON in full precision, negative values accepted")
    func calcELBO() throws {
        let kl = try Invocation(["calc", "kl", "--mean1", "-0.5", "--var1", "2", "--mean2", "1", "--var2", "0.5", "--json"])
        let klValue = try #require((try JSONSerialization.jsonObject(with: Data(kl.stdout.utf8)) as? [String: Any])?["kl"] as? Double)
        // log(σ₂/σ₁) + (σ₁² + Δ²)/(2σ₂²) − ½ with σ₁² = 2, σ₂² = 0.5, Δ = −1.5.
        let expected = 0.5 * log(0.5 / 2) + (2 + 2.25) / 1 - 0.5
        #expect(abs(klValue - expected) / expected < 1e-14)
        let nll = try Invocation(["calc", "decoder-nll", "--x0", "-1", "--mean", "-0.9", "--log-scale", "-2", "--json"])
        #expect(nll.status == 0, "\(nll.stderr)")
        // A wide decoder: the bin [0, 2/255] of x₀ = 1/255 holds Φ(u) − ½ = ½erf(u/√2) with u = (2/255)/σ,
        // which for u ≤ 10⁻¹¹ is u/√(2π) to relative 10⁻²³. The mass must keep every digit (it kept 7 at
        // log σ = 20 and none at 35 when it was a difference of two CDFs near ½).
        for logScale in [20.0, 30, 35] {
            let wide = try Invocation(["calc", "decoder-nll", "--x0", "0", "--mean", "0", "--log-scale", "\(logScale)", "--json"])
            let value = try #require((try JSONSerialization.jsonObject(with: Data(wide.stdout.utf8)) as? [String: Any])?["nll"] as? Double)
            let u = (2.0 / 255) / exp(logScale)
            let reference = -log(u / (2 * Double.pi).squareRoot())
            #expect(abs(value - reference) <= 1e-14 * reference, "log σ = \(logScale): \(value) vs \(reference)")
        }
        let vlb = try Invocation(["calc", "vlb", "--schedule", "cosine", "--T", "20", "--data-mean", "0.3", "--data-var", "0.25",
                                  "--x0", "-0.8", "--variance", "large", "--json"])
        #expect(vlb.status == 0, "\(vlb.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(vlb.stdout.utf8)) as? [String: Any])
        let terms = try #require(object["terms"] as? [Double])
        let elbo = try #require(object["elbo"] as? Double)
        let logLikelihood = try #require(object["logLikelihood"] as? Double)
        #expect(terms.count == 21)
        #expect(abs(elbo + terms.reduce(0, +)) <= 1e-12 * abs(elbo))
        #expect(elbo <= logLikelihood)
    }

    func temporaryLessons(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }
}

/// That every lesson runs green and docs/lessons/ is its current export is tested where the
/// lessons are exported once for the notebooks too (python/tests/test_notebooks.py, in
/// `make test`): one run of every lesson instead of two.
@Suite("Every lesson has a summary")
struct LessonFilesTests {
    @Test("every lesson in Lessons/ has a summary")
    func summaries() throws {
        let library = LessonLibrary(directory: Invocation.repository.appendingPathComponent("Lessons"))
        let names = try library.names()
        #expect(names.contains("gaussian"))
        for name in names { #expect(!(try library.lesson(name)).summary.isEmpty, "\(name) has no summary") }
    }
}
