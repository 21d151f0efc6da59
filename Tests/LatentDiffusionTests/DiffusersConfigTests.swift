import Foundation
import LatentDiffusion
import Neural
import Stochastic
import Testing

@Suite("diffusers' UNet2DConditionModel config.json: read strictly")
struct DiffusersConfigTests {
    func config(_ json: String) throws(DiffusersModelError) -> DiffusersUNetConfig {
        try DiffusersUNetConfig(json: Data(json.utf8), source: "config.json")
    }

    func refusal(_ json: String) -> String {
        do {
            _ = try config(json)
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test("an empty config is diffusers' defaults, Stable Diffusion 1.x's U-Net with a 1280-wide context")
    func defaults() throws {
        let c = try config("{}")
        #expect(c.blockOutChannels == [320, 640, 1280, 1280] && c.layersPerBlock == [2, 2, 2, 2] && c.heads == [8, 8, 8, 8])
        #expect(c.downBlocks == [.crossAttention, .crossAttention, .crossAttention, .plain] && c.upBlocks == [.plain, .crossAttention, .crossAttention, .crossAttention])
        #expect(c.timeDimensions == 1280 && c.crossAttentionDim == [1280, 1280, 1280, 1280] && c.flipSinToCos && c.freqShift == 0 && c.hasMidBlock)
        #expect(c.textTime == nil && !c.linearProjection && c.groups == 32 && c.epsilon == 1e-5)
    }

    @Test("SDXL's keys: per-level heads and transformer layers, linear projections, text_time with 2816 inputs")
    func sdxl() throws {
        let c = try config("""
            {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.19.0", "sample_size": 128, "block_out_channels": [320, 640, 1280],
             "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
             "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"], "attention_head_dim": [5, 10, 20],
             "transformer_layers_per_block": [1, 2, 10], "cross_attention_dim": 2048, "use_linear_projection": true,
             "addition_embed_type": "text_time", "addition_time_embed_dim": 256, "projection_class_embeddings_input_dim": 2816,
             "num_attention_heads": null, "upcast_attention": null, "dropout": 0.0, "act_fn": "silu", "mid_block_type": "UNetMidBlock2DCrossAttn"}
            """)
        #expect(c.heads == [5, 10, 20] && c.transformerLayers == [1, 2, 10] && c.crossAttentionDim == [2048, 2048, 2048])
        #expect(c.linearProjection && c.textTime == .init(timeEmbedding: 256, inputs: 2816))
        // The pooled text embedding is what the 2816 inputs leave after six 256-wide Fourier features.
        #expect(c.textTime!.inputs - 6 * c.textTime!.timeEmbedding == 1280)
    }

    @Test("an unknown key, an unsupported block or value, a wrong type or length are refused, naming the key and what is supported")
    func refusals() {
        #expect(refusal(#"{"use_magic": true}"#).contains(#"unknown config key "use_magic""#))
        #expect(refusal(#"{"down_block_types": ["AttnDownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D"]}"#)
            .contains(#"down_block_types "AttnDownBlock2D" is not supported; supported: CrossAttnDownBlock2D, DownBlock2D"#))
        #expect(refusal(#"{"mid_block_type": "UNetMidBlock2DSimpleCrossAttn"}"#).contains("supported: UNetMidBlock2DCrossAttn, null"))
        #expect(refusal(#"{"resnet_time_scale_shift": "scale_shift"}"#).contains(#"supported: "default""#))
        #expect(refusal(#"{"class_embed_type": "timestep"}"#).contains("class_embed_type \"timestep\" is not supported; supported: null"))
        #expect(refusal(#"{"layers_per_block": "two"}"#).contains(#"layers_per_block is "two"; expected an integer"#))
        #expect(refusal(#"{"layers_per_block": [2, 2]}"#).contains("a list of 4 integers, one per level"))
        #expect(refusal(#"{"flip_sin_to_cos": 1}"#).contains("expected true or false"))
        #expect(refusal(#"{"norm_num_groups": 24}"#).contains("norm_num_groups 24 must divide every entry"))
        #expect(refusal(#"{"attention_head_dim": 7}"#).contains("does not divide level 0's 320 channels"))
        #expect(refusal(#"{"addition_embed_type": "text_time", "addition_time_embed_dim": 256}"#).contains("projection_class_embeddings_input_dim is missing"))
        #expect(refusal(#"{"addition_embed_type": "image"}"#).contains("supported: text_time, null"))
        #expect(refusal(#"{"_class_name": "UNet2DModel"}"#).contains("this reader builds UNet2DConditionModel"))
        #expect(refusal("[1, 2]").contains("is not a JSON object"))
        #expect(refusal(#"{"block_out_channels": [64, 128]}"#).contains("2 block_out_channels need as many down_block_types and up_block_types"))
    }

    @Test("keys at their only supported value, and the keys a Float32 forward pass does not read, are accepted")
    func acceptedAtDefault() throws {
        let c = try config(#"{"only_cross_attention": false, "dual_cross_attention": false, "downsample_padding": 1, "conv_in_kernel": 3, "time_embedding_type": "positional", "dropout": 0.1, "upcast_attention": true, "encoder_hid_dim": null}"#)
        #expect(c == DiffusersUNetConfig())
    }
}

@Suite("diffusers' tensors: names, the transposed linear weights, and refusals")
struct DiffusersWeightsTests {
    func smallConfig() -> DiffusersUNetConfig {
        var c = DiffusersUNetConfig()
        c.blockOutChannels = [8, 16]
        c.layersPerBlock = [1, 1]
        c.downBlocks = [.crossAttention, .plain]
        c.upBlocks = [.plain, .crossAttention]
        c.groups = 4
        c.heads = [2, 2]
        c.crossAttentionDim = [6, 6]
        c.transformerLayers = [2, 2]
        return c
    }

    @Test("a model's tensors, written as diffusers stores them, load back into a fresh model unchanged")
    func roundTrip() throws {
        var stream = RandomStream(seed: 1), other = RandomStream(seed: 2)
        let model = DiffusersUNet(smallConfig(), stream: &stream), fresh = DiffusersUNet(smallConfig(), stream: &other)
        let tensors = DiffusersWeights.tensors(of: model.parameters)
        #expect(!tensors.isEmpty && tensors.count == model.parameters.count)
        // diffusers' names; attention q, k, v without bias; two transformer layers.
        let names = Set(tensors.map(\.name))
        for name in ["conv_in.weight", "time_embedding.linear_1.weight", "down_blocks.0.resnets.0.time_emb_proj.weight",
                     "down_blocks.0.attentions.0.transformer_blocks.1.attn2.to_k.weight", "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight",
                     "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0.bias", "down_blocks.0.downsamplers.0.conv.weight",
                     "mid_block.resnets.1.conv2.weight", "up_blocks.0.resnets.0.conv_shortcut.weight", "up_blocks.0.upsamplers.0.conv.weight",
                     "conv_norm_out.weight", "conv_out.bias"] {
            #expect(names.contains(name), "missing \(name)")
        }
        #expect(!names.contains("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias"))
        // A linear weight W [in, out] is stored [out, in]: element (i, o) at o·in + i.
        let parameter = try #require(model.parameters.first { $0.name == "time_embedding.linear_1.weight" })
        let stored = try #require(tensors.first { $0.name == parameter.name })
        let (inputs, outputs) = (parameter.value.shape[0], parameter.value.shape[1])
        #expect(stored.shape == [outputs, inputs])
        #expect(stored.values[3 * inputs + 5] == parameter.value[5 * outputs + 3])
        try DiffusersWeights.load(SafetensorsFile(tensors: tensors), into: fresh.parameters)
        for (a, b) in zip(model.parameters, fresh.parameters) { #expect(a.value.values == b.value.values, "\(a.name)") }
    }

    @Test("a missing tensor, a wrong shape and a stray tensor are refused by name")
    func refusals() {
        var stream = RandomStream(seed: 1)
        let model = DiffusersUNet(smallConfig(), stream: &stream)
        let tensors = DiffusersWeights.tensors(of: model.parameters)
        func refusal(_ tensors: [SafetensorsTensor]) -> String {
            do {
                try DiffusersWeights.load(SafetensorsFile(tensors: tensors), into: model.parameters)
                return "accepted"
            } catch { return error.description }
        }
        #expect(refusal(tensors.filter { $0.name != "conv_out.bias" }).contains(#"no tensor "conv_out.bias""#))
        var reshaped = tensors
        let index = reshaped.firstIndex { $0.name == "time_embedding.linear_2.weight" }!
        reshaped[index].shape = reshaped[index].shape.reversed()
        reshaped[index].shape = [reshaped[index].shape[0] * reshaped[index].shape[1]]
        #expect(refusal(reshaped).contains(#"tensor "time_embedding.linear_2.weight" has shape"#))
        #expect(refusal(tensors + [SafetensorsTensor(name: "class_embedding.weight", shape: [2], values: [0, 0])])
            .contains(#"1 tensor the config does not explain, e.g. "class_embedding.weight""#))
    }
}

@Suite("The timestep sinusoid as diffusers forms it in Float32")
struct DiffusersSinusoidTests {
    @Test("flip_sin_to_cos puts cos first; freq_shift s divides by h − s; the angle is rounded to Float32")
    func row() {
        let t: Float = 999, d = 8, h = 4
        let plain = SinusoidalEmbedding.float32Row(t, dimensions: d, flipSinToCos: false, shift: 1)
        let flipped = SinusoidalEmbedding.float32Row(t, dimensions: d, flipSinToCos: true, shift: 1)
        #expect(Array(flipped[0..<h]) == Array(plain[h...]) && Array(flipped[h...]) == Array(plain[0..<h]))
        for i in 0..<h {
            let exponent = Float(-log(10_000.0)) * Float(i) / Float(h - 1)
            let angle = Double(t * Float(exp(Double(exponent))))
            #expect(plain[i] == Float(sin(angle)) && plain[h + i] == Float(cos(angle)))
        }
        // Against the Double formula the Float32 angle differs by up to t·u: visible at t = 999.
        let exact = (0..<h).map { sin(Double(t) * exp(-log(10_000.0) * Double($0) / Double(h - 1))) }
        let worst = (0..<h).map { abs(Double(plain[$0]) - exact[$0]) }.max()!
        #expect(worst > 1e-6 && worst < 999 * 1.2e-7)
        // Shift 0 divides by h: another row.
        #expect(SinusoidalEmbedding.float32Row(t, dimensions: d, flipSinToCos: false, shift: 0) != plain)
    }
}

@Suite("diffusers' AutoencoderKL config.json and model")
struct DiffusersAutoencoderTests {
    func refusal(_ json: String) -> String {
        do {
            _ = try AutoencoderConfig(json: Data(json.utf8), source: "config.json")
            return "accepted"
        } catch { return error.description }
    }

    @Test("Stable Diffusion's autoencoder config reads; other blocks, classes and keys are refused by name")
    func config() throws {
        let c = try AutoencoderConfig(json: Data("""
            {"_class_name": "AutoencoderKL", "_diffusers_version": "0.6.0", "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
             "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"], "in_channels": 3,
             "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3, "sample_size": 512,
             "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"], "scaling_factor": 0.18215,
             "force_upcast": true}
            """.utf8), source: "config.json")
        #expect(c.blockOutChannels == [128, 256, 512, 512] && c.layersPerBlock == 2 && c.scalingFactor == 0.18215 && c.quantConv && c.midBlockAttention)
        #expect(refusal(#"{"down_block_types": ["AttnDownEncoderBlock2D"]}"#).contains("supported: DownEncoderBlock2D"))
        #expect(refusal(#"{"_class_name": "VQModel"}"#).contains("this reader builds AutoencoderKL"))
        #expect(refusal(#"{"use_magic": 1}"#).contains(#"unknown config key "use_magic""#))
        #expect(refusal(#"{"block_out_channels": [64, 128]}"#).contains("2 block_out_channels need as many down_block_types"))
    }

    @Test("the model has diffusers' tensor names: the mid block's attention with biases, 2 × latent channels out of the encoder")
    func names() {
        var c = AutoencoderConfig()
        c.blockOutChannels = [8, 16]
        c.groups = 4
        var stream = RandomStream(seed: 1)
        let names = Set(Autoencoder(c, stream: &stream).parameters.map(\.name))
        for name in ["encoder.conv_in.weight", "encoder.down_blocks.0.downsamplers.0.conv.weight", "encoder.mid_block.attentions.0.group_norm.weight",
                     "encoder.mid_block.attentions.0.to_q.bias", "encoder.mid_block.attentions.0.to_out.0.weight", "encoder.conv_out.bias", "quant_conv.weight",
                     "post_quant_conv.bias", "decoder.up_blocks.0.resnets.1.conv2.weight", "decoder.up_blocks.0.upsamplers.0.conv.weight",
                     "decoder.up_blocks.1.resnets.0.conv_shortcut.weight", "decoder.conv_out.weight"] {
            #expect(names.contains(name), "missing \(name)")
        }
        #expect(!names.contains("decoder.up_blocks.1.upsamplers.0.conv.weight"))
    }

    @Test("the project's autoencoder writes a config.json that reads back as itself, with the pipeline's scaling factor")
    func fashionConfigRoundTrip() throws {
        var expected = AutoencoderConfig.fashion
        expected.scalingFactor = 0.7
        let data = AutoencoderConfig.fashion.json(scalingFactor: 0.7, sampleSize: 32)
        #expect(try AutoencoderConfig(json: data, source: "config.json") == expected)
        // The reader's defaults are diffusers' (3 channels, one level of 64, 32 groups): a key
        // left out of the file would read back as something else.
        #expect(AutoencoderConfig() != AutoencoderConfig.fashion)
        #expect(Autoencoder(seed: 0).parameterCount == 681_333)
    }

    @Test("a folder's class: UNet2DConditionModel or AutoencoderKL; anything else is refused, saying what is supported")
    func modelClass() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("class-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ json: String) throws { try json.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8) }
        try write(#"{"_class_name": "AutoencoderKL"}"#)
        #expect(try DiffusersModelClass(folder: folder) == .autoencoder)
        try write(#"{"_class_name": "UNet2DConditionModel"}"#)
        #expect(try DiffusersModelClass(folder: folder) == .unet)
        try write(#"{"_class_name": "ControlNetModel"}"#)
        #expect(throws: DiffusersModelError.self) { try DiffusersModelClass(folder: folder) }
    }
}
