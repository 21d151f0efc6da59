import Foundation
import Testing

/// The latent-diffusion commands as a user runs them: a short training run with its
/// weights file and resume, generation to .npy and .png with the committed weights, and
/// the evaluation's JSON.
@Suite("latent commands", .serialized)
struct LatentCLITests {
    @Test("train classifier writes the training state and the weights, and resumes to more epochs")
    func trainClassifier() throws {
        let dir = try TrainCLITests.folder()
        let state = dir.appendingPathComponent("c.safetensors").path, weights = dir.appendingPathComponent("w.safetensors").path
        let first = try Invocation(["train", "latent", "classifier", "--examples", "128", "--epochs", "1", "--test-images", "100", "--out", state, "--weights", weights, "--threads", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("epoch 1/1") && first.stderr.contains("images/s"), "progress: \(first.stderr)")
        #expect(first.stdout.contains("test accuracy") && first.stdout.contains("on 100 images"), "\(first.stdout)")
        let resumed = try Invocation(["train", "latent", "classifier", "--resume", "--epochs", "2", "--test-images", "100", "--out", state, "--threads", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming") && resumed.stdout.contains("to step 4"), "\(resumed.stdout)")
        // The weights file cannot be resumed from: it has no optimizer state.
        let refused = try Invocation(["train", "latent", "classifier", "--resume", "--epochs", "3", "--out", weights])
        #expect(refused.status == 4 && refused.stderr.contains("weights only"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["c.safetensors", "w.safetensors"])
    }

    @Test("generate writes float32 [N, 28, 28] in [0, 1] to .npy and a PNG grid, with the committed weights")
    func generate() throws {
        let dir = try TrainCLITests.folder()
        let npy = dir.appendingPathComponent("s.npy")
        let result = try Invocation(["generate", "ankle boot", "--n", "3", "--steps", "4", "--out", npy.path])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: npy)
        #expect(data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f4'") && header.contains("'shape': (3, 28, 28)"), "\(header)")
        #expect((10 + headerLength) % 64 == 0 && data.count == 10 + headerLength + 3 * 784 * 4)
        let values = data.dropFirst(10 + headerLength).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        let png = dir.appendingPathComponent("s.png")
        let grid = try Invocation(["generate", "sneaker", "--n", "4", "--steps", "4", "--out", png.path])
        #expect(grid.status == 0, "\(grid.stderr)")
        #expect(try Data(contentsOf: png).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }

    @Test("eval latent --json reports accuracy per class, FID with its floor, PSNR")
    func evaluate() throws {
        let result = try Invocation(["eval", "latent", "--per-class", "2", "--steps", "4", "--test-images", "100", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["conditionalAccuracy"] as? [Double])?.count == 10)
        for key in ["fid", "fidFloor", "psnr", "classifierTestAccuracy", "meanConditionalAccuracy"] {
            #expect((object[key] as? Double)?.isFinite == true, "\(key)")
        }
        #expect(object["testImages"] as? Int == 100 && object["fidImages"] as? Int == 20)
        // As text, an FID of so few images says it compares only with its floor.
        let text = try Invocation(["eval", "latent", "--per-class", "1", "--steps", "2", "--test-images", "100"])
        #expect(text.status == 0 && text.stdout.contains("FID (classifier features, 10 images)"), "\(text.stderr)")
        #expect(text.stdout.contains("(10 images, no more than the classifier's 128 features: the fitted covariances are singular, "
                                     + "so FID and its floor compare with each other only, not with FIDs of more images)"), "\(text.stdout)")
        // 1000 generated images need 1000 test images of their classes for the FID: 500 cannot hold them.
        let tooFew = try Invocation(["eval", "latent", "--per-class", "100", "--test-images", "500"])
        #expect(tooFew.status == 64 && tooFew.stderr.contains("only 500") && tooFew.stderr.contains("raise --test-images"), "\(tooFew.stderr)")
    }

    @Test("eval latent --class restricts the report to the named classes; an unknown name lists the classes")
    func evaluateSomeClasses() throws {
        let result = try Invocation(["eval", "latent", "--class", "Shirt", "--class", "t-shirt/top", "--per-class", "2", "--steps", "2", "--test-images", "100", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["classNames"] as? [String] == ["t-shirt/top", "shirt"])
        let accuracy = try #require(object["conditionalAccuracy"] as? [Double])
        #expect(accuracy.count == 2)
        #expect(object["meanConditionalAccuracy"] as? Double == (accuracy[0] + accuracy[1]) / 2)
        #expect((object["classifierTestAccuracyPerClass"] as? [Double])?.count == 2)
        #expect(object["fidImages"] as? Int == 4)
        #expect((object["fid"] as? Double)?.isFinite == true)
        let unknown = try Invocation(["eval", "latent", "--class", "shirts"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("\"shirts\" is not a Fashion-MNIST class") && unknown.stderr.contains("\"ankle boot\""), "\(unknown.stderr)")
    }
}
