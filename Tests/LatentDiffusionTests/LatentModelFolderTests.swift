import Foundation
import LatentDiffusion
import Neural
import Stochastic
import Testing

@Suite("The latent model folder in diffusers' layout: written, read back, bad folders refused")
struct LatentModelFolderTests {
    /// A pipeline of randomly initialized parts (every weight drawn, so a part loaded into the
    /// wrong place shows).
    func randomPipeline() -> LatentPipeline {
        var stream = RandomStream(seed: 3)
        let unet = UNet(.fashion, stream: &stream)
        let encoder = TextEncoder(stream: &stream)
        return LatentPipeline(autoencoder: Autoencoder(seed: 4), network: unet, encoder: encoder, scaleFactor: 0.7, schedule: LatentPipeline.defaultSchedule())
    }

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("write then load: the same images from the same noise (DDIM, 10 steps, guidance 3), the same scale factor and schedule")
    func roundTrip() throws {
        let pipeline = randomPipeline(), url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        try LatentModelFolder.write(pipeline, to: url)
        for part in ["unet/config.json", "unet/diffusion_pytorch_model.safetensors", "scheduler/scheduler_config.json",
                     "text_encoder/config.json", "text_encoder/model.safetensors", "vae/config.json", "vae/diffusion_pytorch_model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent(part).path), "\(part)")
        }
        let loaded = try LatentModelFolder.load(url)
        #expect(loaded.unet == nil && loaded.scaleFactor == 0.7 && loaded.schedule == pipeline.schedule)
        let prompts = [try Prompt("ankle boot"), Prompt.empty]
        let a = try pipeline.generate(prompts: prompts, guidance: 3, sampler: .ddim(steps: 10, eta: 0), seed: 5)
        let b = try loaded.generate(prompts: prompts, guidance: 3, sampler: .ddim(steps: 10, eta: 0), seed: 5)
        var worst: Float = 0
        for k in 0..<a.count { worst = max(worst, abs(a[k] - b[k])) }
        print("folder round trip: worst pixel difference \(worst)")
        // Pixels in [−1, 1]; the converted U-Net differs by ~10⁻⁵ relative (ProjectUNetConversionTests).
        #expect(a.count == 2 * 32 * 32 && worst < 1e-3)
    }

    @Test("a folder with a part missing, another vocabulary, a v-prediction scheduler, a zero scale factor or parts that do not fit is refused, naming the file and key")
    func refusals() throws {
        let pipeline = randomPipeline()
        func refusal(_ edit: (URL) throws -> Void) throws -> String {
            let url = try folder()
            defer { try? FileManager.default.removeItem(at: url) }
            try LatentModelFolder.write(pipeline, to: url)
            try edit(url)
            do {
                _ = try LatentModelFolder.load(url)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        func replace(_ url: URL, _ file: String, _ old: String, _ new: String) throws {
            let path = url.appendingPathComponent(file)
            let text = try String(contentsOf: path, encoding: .utf8)
            #expect(text.contains(old), "\(file) has \(old)")
            try text.replacingOccurrences(of: old, with: new).write(to: path, atomically: true, encoding: .utf8)
        }
        #expect(try refusal { _ in }.contains("accepted"))
        #expect(try refusal { try FileManager.default.removeItem(at: $0.appendingPathComponent("text_encoder/model.safetensors")) }.contains("model.safetensors is missing"))
        #expect(try refusal { try replace($0, "text_encoder/config.json", "\"sneaker\"", "\"shoe\"") }.contains("vocabulary"))
        #expect(try refusal { try replace($0, "scheduler/scheduler_config.json", "\"epsilon\"", "\"v_prediction\"") }.contains("prediction_type"))
        #expect(try refusal { try replace($0, "vae/config.json", "\"scaling_factor\" : 0.7", "\"scaling_factor\" : 0") }.contains("scaling_factor"))
        #expect(try refusal { try replace($0, "vae/config.json", "\"in_channels\" : 1", "\"in_channels\" : 3") }.contains("in_channels"))
        // Parts that do not fit together are refused by the key, before their weights are read
        // (which would otherwise fail on a tensor's shape).
        let latentRefusal = try refusal { try replace($0, "vae/config.json", "\"latent_channels\" : 4", "\"latent_channels\" : 8") }
        #expect(latentRefusal.contains("vae/config.json: latent_channels is 8"), "\(latentRefusal)")
        let channels = pipeline.encoder.channels
        let widthRefusal = try refusal { try replace($0, "text_encoder/config.json", "\"hidden_size\" : \(channels)", "\"hidden_size\" : \(2 * channels)") }
        #expect(widthRefusal.contains("text_encoder/config.json: hidden_size is \(2 * channels), but the U-Net's cross_attention_dim is \(channels)"), "\(widthRefusal)")
        #expect(try refusal { try replace($0, "scheduler/scheduler_config.json", "\"scaled_linear\"", "\"squaredcos_cap_v2\"") }.contains("beta_schedule"))
        #expect(try refusal { try FileManager.default.removeItem(at: $0.appendingPathComponent("unet")) }.contains("unet/config.json"))
    }
}
