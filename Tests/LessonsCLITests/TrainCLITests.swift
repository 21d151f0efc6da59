import Foundation
import Neural
import Testing

/// `lessons train` and `lessons sample` as a user runs them: files, progress, resume,
/// Ctrl-C, corrupt checkpoints.
@Suite("train and sample", .serialized)
struct TrainCLITests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("train-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("train writes a checkpoint, --resume continues it, sample writes a CSV with a header")
    func trainResumeSample() throws {
        let dir = try Self.folder()
        let model = dir.appendingPathComponent("m.safetensors").path
        let first = try Invocation(["train", "toy", "swissroll", "--steps", "30", "--checkpoint-every", "10", "--out", model])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("trained swissroll to step 30"))
        #expect(first.stderr.contains("step 30/30"), "progress on stderr: \(first.stderr)")
        let resumed = try Invocation(["train", "toy", "swissroll", "--steps", "45", "--resume", "--out", model])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming") && resumed.stdout.contains("step 45"))
        let csv = dir.appendingPathComponent("s.csv").path
        let sample = try Invocation(["sample", "swissroll", "--checkpoint", model, "--n", "40", "--sampler", "ddim", "--steps", "20", "--out", csv])
        #expect(sample.status == 0, "\(sample.stderr)")
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "x,y" && lines.count == 41)
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",").compactMap { Double($0) }.count == 2 })
        // No temporary files are left beside the outputs.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["m.safetensors", "s.csv"])
    }

    /// `lessons train swissroll`, the spelling before `train toy` and `train latent`, still
    /// trains, and says the new spelling; a name that is neither is a usage error listing both.
    @Test("the old spelling `train swissroll` still trains, with a note; an unknown target names both groups")
    func oldSpelling() throws {
        let model = try Self.folder().appendingPathComponent("m.safetensors").path
        let old = try Invocation(["train", "swissroll", "--steps", "3", "--out", model])
        #expect(old.status == 0 && old.stdout.contains("trained swissroll to step 3"), "\(old.stderr)")
        #expect(old.stderr.contains("is now `lessons train toy swissroll`"), "\(old.stderr)")
        let unknown = try Invocation(["train", "spiral"])
        #expect(unknown.status == 64 && unknown.stderr.contains("lessons train toy swissroll|gaussians|moons")
                && unknown.stderr.contains("lessons train latent autoencoder|unet|classifier"), "\(unknown.stderr)")
    }

    @Test("sample works out of the box with the committed model")
    func committedModel() throws {
        let csv = try Self.folder().appendingPathComponent("s.csv").path
        let result = try Invocation(["sample", "swissroll", "--n", "20", "--sampler", "ddim", "--steps", "10", "--out", csv])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Models/swissroll.safetensors"))
    }

    @Test("sample --eval prints the metrics beside their floor and the variational bound")
    func evaluation() throws {
        let csv = try Self.folder().appendingPathComponent("s.csv").path
        let result = try Invocation(["sample", "swissroll", "--n", "300", "--sampler", "ddim", "--steps", "20", "--eval", "--eval-rounds", "2", "--out", csv])
        #expect(result.status == 0, "\(result.stderr)")
        for line in ["sliced Wasserstein-2", "energy distance", "MMD²", "−ELBO =", "bits/dim", "L_T ="] {
            #expect(result.stdout.contains(line), "missing \(line): \(result.stdout)")
        }
    }

    @Test("points that diverge are written with a warning; --eval on them is exit 1 with a message; --clip-denoised bounds them")
    func divergedPoints() throws {
        let dir = try Self.folder()
        // The committed model with the EMA's output bias at Float's largest value (the loader
        // refuses NaN weights, rightly): every ε̂ is that large, and every trajectory overflows.
        var file = try SafetensorsFile(contentsOf: Invocation.repository.appendingPathComponent("Models/swissroll.safetensors"))
        let index = try #require(file.tensors.firstIndex { $0.name == "ema.layers.3.bias" })
        file.tensors[index].values = file.tensors[index].values.map { _ in .greatestFiniteMagnitude }
        let model = dir.appendingPathComponent("huge.safetensors")
        try file.write(to: model)
        let csv = dir.appendingPathComponent("s.csv")
        let arguments = ["sample", "swissroll", "--checkpoint", model.path, "--n", "10", "--sampler", "ddim", "--steps", "5", "--out", csv.path]
        let written = try Invocation(arguments)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stderr.contains("warning: 10 of 10 points are not finite"), "\(written.stderr)")
        #expect(try String(contentsOf: csv, encoding: .utf8).hasPrefix("x,y\n"))
        let evaluated = try Invocation(arguments + ["--eval"])
        #expect(!evaluated.crashed)
        #expect(evaluated.status == 1, "\(evaluated.status) \(evaluated.stderr)")
        #expect(evaluated.stderr.contains("sample metrics need finite points"), "\(evaluated.stderr)")
        #expect(!evaluated.stdout.contains("nan"), "\(evaluated.stdout)")
        // Clipping x̂₀ bounds every step: the same model then ends every trajectory inside
        // [−2, 2] (up to Float rounding), and --eval scores the points.
        let clipped = try Invocation(arguments + ["--clip-denoised", "2", "--eval", "--eval-rounds", "1"])
        #expect(clipped.status == 0, "\(clipped.status) \(clipped.stderr)")
        #expect(!clipped.stderr.contains("warning"), "\(clipped.stderr)")
        let values = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst()
            .flatMap { $0.split(separator: ",").map { Double($0) } }
        #expect(values.count == 20 && values.allSatisfy { $0.map { abs($0) <= 2 * (1 + 1e-5) } == true }, "\(values)")
    }

    @Test("a corrupt checkpoint is exit 4 with a message, never a crash")
    func corruptCheckpoint() throws {
        let dir = try Self.folder()
        let bad = dir.appendingPathComponent("bad.safetensors")
        try Data([0x10, 0, 0, 0, 0, 0, 0, 0, 0x7B]).write(to: bad)
        for arguments in [["sample", "swissroll", "--checkpoint", bad.path, "--out", dir.appendingPathComponent("s.csv").path],
                          ["train", "toy", "swissroll", "--resume", "--out", bad.path]] {
            let result = try Invocation(arguments)
            #expect(!result.crashed)
            #expect(result.status == 4, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(bad.path), "\(result.stderr)")
        }
    }

    @Test("Ctrl-C writes a checkpoint at the current step, says how to resume, exits 130")
    func interrupt() throws {
        let dir = try Self.folder()
        let model = dir.appendingPathComponent("m.safetensors")
        let process = Process()
        process.executableURL = Invocation.binary
        process.arguments = ["train", "toy", "swissroll", "--steps", "1000000", "--checkpoint-every", "1000000", "--out", model.path]
        let errors = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let message = try String(contentsOf: errors, encoding: .utf8)
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(process.terminationStatus): \(message)")
        #expect(message.contains("interrupted at step") && message.contains("--resume"), "\(message)")
        #expect(FileManager.default.fileExists(atPath: model.path))
        let resumed = try Invocation(["train", "toy", "swissroll", "--steps", "1", "--resume", "--out", model.path])
        #expect(resumed.status == 0 && resumed.stdout.contains("already at step"), "\(resumed.stdout) \(resumed.stderr)")
    }
}
