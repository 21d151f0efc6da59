import Foundation
import Neural
import Testing

/// A committed model whose bytes changed after writing — one exponent byte flipped, so every
/// weight stays finite and the model would load — is refused by every command that reads
/// it, naming the tensor, with exit status 4 (the CRC-32s in the files' metadata).
@Suite("damaged checkpoints")
struct DamagedModelTests {
    static let committed = ["swissroll", "gaussians", "autoencoder", "unet", "classifier"]

    @Test("Every committed model carries the CRC-32 of each tensor, and they match")
    func committedChecksums() throws {
        #expect(Self.committed.count == 5)
        for name in Self.committed {
            let file = try SafetensorsFile(contentsOf: Invocation.repository.appendingPathComponent("Models/\(name).safetensors"))
            #expect(file.hasVerifiedChecksums, "\(name) has no checksums")
            #expect(!file.tensors.isEmpty && file.metadata["crc32"] == nil, "\(name)")
        }
    }

    /// A copy of Models/NAME.safetensors in `folder` with the exponent byte of the first
    /// float of its first non-empty tensor XOR 0x3C; returns the copy and that tensor's name.
    static func damagedCopy(of name: String, in folder: URL) throws -> (url: URL, tensor: String) {
        let source = Invocation.repository.appendingPathComponent("Models/\(name).safetensors")
        let file = try SafetensorsFile(contentsOf: source)
        let tensor = try #require(file.tensors.first { !$0.values.isEmpty })
        var bytes = try Data(contentsOf: source)
        let headerLength = Int(UInt64(littleEndian: bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        bytes[8 + headerLength + 3] ^= 0x3C  // tensors are read in data order: the first one starts at byte 0
        let damaged = Float(bitPattern: tensor.values[0].bitPattern ^ (0x3C << 24))
        #expect(damaged.isFinite, "the damage keeps the weight finite: \(damaged)")
        let url = folder.appendingPathComponent("\(name).safetensors")
        try bytes.write(to: url)
        return (url, tensor.name)
    }

    @Test("sample, generate, eval latent and train --resume refuse a damaged file with exit 4, naming the tensor")
    func refused() throws {
        let dir = try TrainCLITests.folder()
        let swissroll = try Self.damagedCopy(of: "swissroll", in: dir)
        let unet = try Self.damagedCopy(of: "unet", in: dir)
        let autoencoder = try Self.damagedCopy(of: "autoencoder", in: dir)
        let classifier = try Self.damagedCopy(of: "classifier", in: dir)
        let runs: [(arguments: [String], tensor: String, path: URL)] = [
            (["sample", "swissroll", "--checkpoint", swissroll.url.path, "--n", "10", "--out", dir.appendingPathComponent("s.csv").path],
             swissroll.tensor, swissroll.url),
            (["train", "toy", "swissroll", "--resume", "--steps", "5", "--out", swissroll.url.path], swissroll.tensor, swissroll.url),
            (["generate", "ankle boot", "--n", "1", "--steps", "2", "--unet", unet.url.path, "--out", dir.appendingPathComponent("g.png").path],
             unet.tensor, unet.url),
            (["generate", "ankle boot", "--n", "1", "--steps", "2", "--autoencoder", autoencoder.url.path, "--out", dir.appendingPathComponent("g.png").path],
             autoencoder.tensor, autoencoder.url),
            (["eval", "latent", "--per-class", "2", "--test-images", "10", "--classifier", classifier.url.path], classifier.tensor, classifier.url),
        ]
        #expect(runs.count == 5)
        for run in runs {
            let result = try Invocation(run.arguments)
            #expect(!result.crashed)
            #expect(result.status == 4, "\(run.arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("tensor \"\(run.tensor)\" fails its checksum") && result.stderr.contains(run.path.path),
                    "\(run.arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("g.png").path))
    }
}
