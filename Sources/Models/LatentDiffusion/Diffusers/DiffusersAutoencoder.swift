import Foundation
import Neural
import Stochastic

/// diffusers' `AutoencoderKL` configuration (its `config.json`), read as strictly as the
/// U-Net's: DownEncoderBlock2D / UpDecoderBlock2D levels, `layers_per_block` ResNets per
/// level (one more in the decoder), GroupNorms with ε = 10⁻⁶, a mid block of ResNet,
/// single-head attention (head width = the last level's channels) and ResNet.
public struct DiffusersAutoencoderConfig: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3
    public var blockOutChannels = [64]
    public var layersPerBlock = 1
    public var latentChannels = 4
    public var groups = 32
    public var scalingFactor = 0.18215
    public var shiftFactor: Double?
    public var quantConv = true, postQuantConv = true
    public var midBlockAttention = true

    public init() {}

    public init(json data: Data, source: String) throws(DiffusersModelError) {
        var r = try ConfigReader.object(data, source: source)
        try r.expectClass("AutoencoderKL")
        // Read by pipelines, not by encode and decode in Float32.
        for key in ["sample_size", "force_upcast", "latents_mean", "latents_std"] { r.ignore(key) }
        inChannels = try r.integer("in_channels", default: 3)
        outChannels = try r.integer("out_channels", default: 3)
        blockOutChannels = try r.integers("block_out_channels", default: [64])
        let levels = blockOutChannels.count
        for (key, block) in [("down_block_types", "DownEncoderBlock2D"), ("up_block_types", "UpDecoderBlock2D")] {
            let types = try r.strings(key, default: [block])
            if let other = types.first(where: { $0 != block }) { throw r.unsupported(key, value: other, supported: [block]) }
            guard types.count == levels else {
                throw DiffusersModelError("\(source): \(levels) block_out_channels need as many \(key) (found \(types.count))")
            }
        }
        layersPerBlock = try r.integer("layers_per_block", default: 1)
        latentChannels = try r.integer("latent_channels", default: 4)
        groups = try r.integer("norm_num_groups", default: 32)
        scalingFactor = try r.number("scaling_factor", default: 0.18215)
        if let value = r.take("shift_factor") {
            guard case .number(let shift) = value else { throw r.wrongType("shift_factor", value, "a number or null") }
            shiftFactor = shift
        }
        quantConv = try r.bool("use_quant_conv", default: true)
        postQuantConv = try r.bool("use_post_quant_conv", default: true)
        midBlockAttention = try r.bool("mid_block_add_attention", default: true)
        try r.expect("act_fn", equals: .string("silu"), what: "\"silu\"")
        try r.finish(model: "AutoencoderKL")
        guard levels >= 1, blockOutChannels.allSatisfy({ $0 > 0 && $0 % max(groups, 1) == 0 }), groups > 0 else {
            throw DiffusersModelError("\(source): norm_num_groups \(groups) must divide every entry of block_out_channels \(blockOutChannels)")
        }
        guard layersPerBlock >= 1, latentChannels >= 1, inChannels >= 1, outChannels >= 1 else {
            throw DiffusersModelError("\(source): layers_per_block, latent_channels, in_channels and out_channels must be positive")
        }
    }
}

/// diffusers' `AutoencoderKL` with its tensor names: the encoder maps an image to the
/// moments [mean, log σ²] of q(z|x) (after `quant_conv`), the decoder maps latents z (after
/// `post_quant_conv`) back to an image. Inference only; built for a file's weights.
public final class DiffusersAutoencoder {
    /// The mid block: ResNet, (single-head self-attention with biases and a residual), ResNet.
    struct Mid {
        let first: ResNetBlock, norm: GroupNorm?, attention: MultiHeadAttention?, second: ResNetBlock

        var parameters: [Parameter] { first.parameters + (norm?.parameters ?? []) + (attention?.parameters ?? []) + second.parameters }
    }

    public let config: DiffusersAutoencoderConfig
    let encoderIn: Conv2d, encoderLevels: [(resnets: [ResNetBlock], downsample: Conv2d?)], encoderMid: Mid
    let encoderNorm: GroupNorm, encoderOut: Conv2d, quant: Conv2d?
    let postQuant: Conv2d?, decoderIn: Conv2d, decoderMid: Mid
    let decoderLevels: [(resnets: [ResNetBlock], upsample: Upsample?)], decoderNorm: GroupNorm, decoderOut: Conv2d

    public init(_ c: DiffusersAutoencoderConfig, stream: inout RandomStream) {
        config = c
        let channels = c.blockOutChannels, last = channels.count - 1
        func resnet(_ name: String, _ inputs: Int, _ outputs: Int) -> ResNetBlock {
            ResNetBlock(name: name, inputs: inputs, outputs: outputs, timeDimensions: nil, groups: c.groups, epsilon: 1e-6, naming: .diffusers, stream: &stream)
        }
        func mid(_ name: String) -> Mid {
            let width = channels[last]
            return Mid(first: resnet("\(name).resnets.0", width, width),
                       norm: c.midBlockAttention ? GroupNorm(name: "\(name).attentions.0.group_norm", channels: width, groups: c.groups, epsilon: 1e-6) : nil,
                       attention: c.midBlockAttention
                           ? MultiHeadAttention(name: "\(name).attentions.0", channels: width, contextChannels: width, heads: 1, naming: .diffusers,
                                                projectionBias: true, stream: &stream) : nil,
                       second: resnet("\(name).resnets.1", width, width))
        }
        encoderIn = Conv2d(name: "encoder.conv_in", inputs: c.inChannels, outputs: channels[0], kernel: 3, stream: &stream)
        var levels: [(resnets: [ResNetBlock], downsample: Conv2d?)] = []
        var previous = channels[0]
        for (level, width) in channels.enumerated() {
            let resnets = (0..<c.layersPerBlock).map { resnet("encoder.down_blocks.\(level).resnets.\($0)", $0 == 0 ? previous : width, width) }
            // Stride 2 after padding one zero row and column at the end (no symmetric padding).
            let downsample = level == last ? nil
                : Conv2d(name: "encoder.down_blocks.\(level).downsamplers.0.conv", inputs: width, outputs: width, kernel: 3, stride: 2, padding: 0, stream: &stream)
            levels.append((resnets, downsample))
            previous = width
        }
        encoderLevels = levels
        encoderMid = mid("encoder.mid_block")
        encoderNorm = GroupNorm(name: "encoder.conv_norm_out", channels: channels[last], groups: c.groups, epsilon: 1e-6)
        encoderOut = Conv2d(name: "encoder.conv_out", inputs: channels[last], outputs: 2 * c.latentChannels, kernel: 3, stream: &stream)
        quant = c.quantConv ? Conv2d(name: "quant_conv", inputs: 2 * c.latentChannels, outputs: 2 * c.latentChannels, kernel: 1, stream: &stream) : nil
        postQuant = c.postQuantConv ? Conv2d(name: "post_quant_conv", inputs: c.latentChannels, outputs: c.latentChannels, kernel: 1, stream: &stream) : nil
        decoderIn = Conv2d(name: "decoder.conv_in", inputs: c.latentChannels, outputs: channels[last], kernel: 3, stream: &stream)
        decoderMid = mid("decoder.mid_block")
        var upLevels: [(resnets: [ResNetBlock], upsample: Upsample?)] = []
        previous = channels[last]
        for index in 0...last {
            let width = channels[last - index]
            let resnets = (0...c.layersPerBlock).map { resnet("decoder.up_blocks.\(index).resnets.\($0)", $0 == 0 ? previous : width, width) }
            upLevels.append((resnets, index == last ? nil : Upsample(name: "decoder.up_blocks.\(index).upsamplers.0", channels: width, stream: &stream)))
            previous = width
        }
        decoderLevels = upLevels
        decoderNorm = GroupNorm(name: "decoder.conv_norm_out", channels: channels[0], groups: c.groups, epsilon: 1e-6)
        decoderOut = Conv2d(name: "decoder.conv_out", inputs: channels[0], outputs: c.outChannels, kernel: 3, stream: &stream)
    }

    public var parameters: [Parameter] {
        encoderIn.parameters + encoderLevels.flatMap { $0.resnets.flatMap(\.parameters) + ($0.downsample?.parameters ?? []) }
            + encoderMid.parameters + encoderNorm.parameters + encoderOut.parameters + (quant?.parameters ?? [])
            + (postQuant?.parameters ?? []) + decoderIn.parameters + decoderMid.parameters
            + decoderLevels.flatMap { $0.resnets.flatMap(\.parameters) + ($0.upsample?.parameters ?? []) }
            + decoderNorm.parameters + decoderOut.parameters
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// A model folder in diffusers' layout, loaded for inference.
    public static func load(folder: URL) throws(DiffusersModelError) -> DiffusersAutoencoder {
        let url = folder.appendingPathComponent("config.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DiffusersModelError("cannot read \(url.path): \(error.localizedDescription)") }
        let config = try DiffusersAutoencoderConfig(json: data, source: url.path)
        let model = Parameter.$buildsForInference.withValue(true) {
            var stream = RandomStream(seed: 0)
            return DiffusersAutoencoder(config, stream: &stream)
        }
        try DiffusersWeights.load(folder.appendingPathComponent("diffusion_pytorch_model.safetensors"), into: model.parameters)
        return model
    }

    /// x + to_out(attention(GN(x) as tokens)), the mid block's residual self-attention.
    private func midBlock(_ mid: Mid, _ x: Variable, on tape: Tape) -> Variable {
        var h = mid.first(x, on: tape)
        if let norm = mid.norm, let attention = mid.attention {
            let shape = tape.value(h).shape
            let tokens = attention(tape.imageToTokens(norm(h, on: tape)), batch: shape[0], on: tape)
            h = tape.add(h, tape.tokensToImage(tokens, batch: shape[0], height: shape[2], width: shape[3]))
        }
        return mid.second(h, on: tape)
    }

    /// The moments [mean, log σ²] of q(z|x) for images x [B, in_channels, H, W] (H and W
    /// multiples of 2^(levels − 1)): [B, 2·latent_channels, h, w]. `trace` gets each module's
    /// output under its diffusers name.
    public func encode(_ image: Tensor, trace: ((String, Tensor) -> Void)? = nil) -> Tensor {
        let tape = Tape()
        tape.isRecording = false
        func record(_ name: String, _ value: Variable) { trace?(name, tape.value(value)) }
        var h = encoderIn(tape.constant(image), on: tape)
        record("encoder.conv_in", h)
        for (level, block) in encoderLevels.enumerated() {
            for resnet in block.resnets { h = resnet(h, on: tape) }
            if let downsample = block.downsample { h = downsample(tape.padTrailing(h), on: tape) }
            record("encoder.down_blocks.\(level)", h)
        }
        h = midBlock(encoderMid, h, on: tape)
        record("encoder.mid_block", h)
        h = encoderOut(tape.silu(encoderNorm(h, on: tape)), on: tape)
        record("encoder.conv_out", h)
        if let quant {
            h = quant(h, on: tape)
            record("quant_conv", h)
        }
        return tape.value(h)
    }

    /// Images [B, out_channels, H, W] for latents z [B, latent_channels, h, w].
    public func decode(_ latents: Tensor, trace: ((String, Tensor) -> Void)? = nil) -> Tensor {
        let tape = Tape()
        tape.isRecording = false
        func record(_ name: String, _ value: Variable) { trace?(name, tape.value(value)) }
        var h = tape.constant(latents)
        if let postQuant {
            h = postQuant(h, on: tape)
            record("post_quant_conv", h)
        }
        h = decoderIn(h, on: tape)
        record("decoder.conv_in", h)
        h = midBlock(decoderMid, h, on: tape)
        record("decoder.mid_block", h)
        for (index, block) in decoderLevels.enumerated() {
            for resnet in block.resnets { h = resnet(h, on: tape) }
            if let upsample = block.upsample { h = upsample(h, on: tape) }
            record("decoder.up_blocks.\(index)", h)
        }
        h = decoderOut(tape.silu(decoderNorm(h, on: tape)), on: tape)
        record("decoder.conv_out", h)
        return tape.value(h)
    }
}
