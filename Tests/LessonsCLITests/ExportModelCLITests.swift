import Foundation
import Neural
import Testing

/// `lessons export-model --format diffusers` and the commands that read its folder back
/// (`generate --model`, `eval latent --model`), as a user runs them.
@Suite("export-model and --model", .serialized)
struct ExportModelCLITests {
    @Test("export-model writes the folder once (an existing folder is refused and left as it was); generate --model from the same noise gives the committed files' images")
    func exportAndGenerate() throws {
        let dir = try TrainCLITests.folder()
        let model = dir.appendingPathComponent("fashion")
        let export = try Invocation(["export-model", "--format", "diffusers", "--out", model.path])
        #expect(export.status == 0 && export.stdout.contains("UNet2DConditionModel"), "\(export.stderr)")
        let again = try Invocation(["export-model", "--format", "diffusers", "--out", model.path])
        #expect(again.status == 4 && again.stderr.contains("exists"), "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["fashion"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: model.path).sorted() == ["scheduler", "text_encoder", "unet", "vae"])

        // Any fixed values of unit scale serve as the starting latents here.
        let noise = (0..<(2 * 256)).map { Float(1.5 * sin(Double($0) * 12.9898)) }
        let noiseFile = dir.appendingPathComponent("noise.npy")
        try NumpyFile.write(shape: [2, 4, 8, 8], values: noise, to: noiseFile)
        func images(_ extra: [String]) throws -> [Float] {
            let out = dir.appendingPathComponent("images-\(UUID().uuidString).npy")
            let run = try Invocation(["generate", "dress", "--n", "2", "--steps", "5", "--initial-noise", noiseFile.path, "--out", out.path] + extra)
            #expect(run.status == 0, "\(run.stderr)")
            return try NumpyFile.read(contentsOf: out).values
        }
        let files = try images([]), folder = try images(["--model", model.path]), seeded = try images(["--seed", "3"])
        #expect(files.count == 2 * 28 * 28 && folder.count == files.count)
        let worst = zip(files, folder).map { abs($0 - $1) }.max() ?? .infinity
        // The converted U-Net differs by ~10⁻⁵ relative in ε (ProjectUNetConversionTests): pixels in [0, 1].
        #expect(worst < 1e-3, "worst pixel difference \(worst)")
        // DDIM (η = 0) is deterministic given z_T: the seed no longer matters once the noise is given.
        #expect(seeded == files)
    }

    @Test("bad input: another format, --model with --unet, a noise file of the wrong shape or not .npy, a folder that is not a model")
    func badInput() throws {
        let dir = try TrainCLITests.folder()
        let format = try Invocation(["export-model", "--format", "onnx", "--out", dir.appendingPathComponent("m").path])
        #expect(format.status == 64 && format.stderr.contains("--format must be diffusers"), "\(format.stderr)")
        let both = try Invocation(["generate", "dress", "--model", dir.path, "--unet", "x.safetensors", "--out", dir.appendingPathComponent("a.npy").path])
        #expect(both.status == 64 && both.stderr.contains("not both"), "\(both.stderr)")
        let notModel = try Invocation(["generate", "dress", "--n", "1", "--steps", "2", "--model", dir.path, "--out", dir.appendingPathComponent("a.npy").path])
        #expect(notModel.status == 4 && notModel.stderr.contains("unet/config.json"), "\(notModel.stderr)")
        let wrongShape = dir.appendingPathComponent("wrong.npy")
        try NumpyFile.write(shape: [3, 4, 8, 8], values: [Float](repeating: 0, count: 3 * 256), to: wrongShape)
        let shape = try Invocation(["generate", "dress", "--n", "2", "--initial-noise", wrongShape.path, "--out", dir.appendingPathComponent("a.npy").path])
        #expect(shape.status == 4 && shape.stderr.contains("[3, 4, 8, 8]") && shape.stderr.contains("[2, 4, 8, 8]"), "\(shape.stderr)")
        let text = dir.appendingPathComponent("noise.txt")
        try Data("1 2 3".utf8).write(to: text)
        let notNpy = try Invocation(["generate", "dress", "--n", "2", "--initial-noise", text.path, "--out", dir.appendingPathComponent("a.npy").path])
        #expect(notNpy.status == 4 && notNpy.stderr.contains("not a .npy file"), "\(notNpy.stderr)")
        #expect(try !FileManager.default.contentsOfDirectory(atPath: dir.path).contains("a.npy"))
    }

    @Test("eval latent --model reads the folder")
    func evaluateFolder() throws {
        let dir = try TrainCLITests.folder()
        let model = dir.appendingPathComponent("fashion")
        #expect(try Invocation(["export-model", "--format", "diffusers", "--out", model.path]).status == 0)
        let result = try Invocation(["eval", "latent", "--model", model.path, "--per-class", "1", "--steps", "2", "--test-images", "100", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["conditionalAccuracy"] as? [Double])?.count == 10)
    }
}
