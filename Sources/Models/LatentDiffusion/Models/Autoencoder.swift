import Foundation
import Neural
import Stochastic

/// The KL-regularized autoencoder of latent diffusion (Rombach et al. 2022, §3.1) in diffusers'
/// `AutoencoderKL` layout, with its tensor names, so its weights are a diffusers `vae/` as they
/// are: the encoder maps an image x to the moments [μ, log σ²] of q(z|x) = N(μ, diag σ²)
/// (after `quant_conv`), the decoder maps latents z (after `post_quant_conv`) back to an image.
///
/// Encoder: conv_in; per level `layers_per_block` ResNets, then (but at the last level) a
/// stride-2 3×3 convolution after one zero row and column at the end; the mid block (ResNet,
/// single-head self-attention with a residual, ResNet); GN → SiLU → conv_out to
/// 2·latent_channels. Decoder: conv_in; the mid block; per level, widest first,
/// `layers_per_block` + 1 ResNets then (but at the last level) nearest ×2 and a 3×3
/// convolution; GN → SiLU → conv_out. Trained by `AutoencoderTask`; built from any
/// `AutoencoderConfig` (Stable Diffusion's is tested against diffusers).
public final class Autoencoder {
    /// The mid block: ResNet, (single-head self-attention with biases and a residual), ResNet.
    struct Mid {
        let first: ResNetBlock, norm: GroupNorm?, attention: MultiHeadAttention?, second: ResNetBlock

        var parameters: [Parameter] { first.parameters + (norm?.parameters ?? []) + (attention?.parameters ?? []) + second.parameters }
    }

    public let config: AutoencoderConfig
    let encoderIn: Conv2d, encoderLevels: [(resnets: [ResNetBlock], downsample: Conv2d?)], encoderMid: Mid
    let encoderNorm: GroupNorm, encoderOut: Conv2d, quant: Conv2d?
    let postQuant: Conv2d?, decoderIn: Conv2d, decoderMid: Mid
    let decoderLevels: [(resnets: [ResNetBlock], upsample: Upsample?)], decoderNorm: GroupNorm, decoderOut: Conv2d

    public init(_ c: AutoencoderConfig, stream: inout RandomStream) {
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

    /// The project's Fashion-MNIST autoencoder (`AutoencoderConfig.fashion`), its weights
    /// drawn from `seed`.
    public convenience init(seed: UInt64) {
        var stream = RandomStream(seed: seed, stream: 0x5641_4500)
        self.init(.fashion, stream: &stream)
    }

    public static var latentChannels: Int { AutoencoderConfig.fashion.latentChannels }

    public var parameters: [Parameter] {
        encoderIn.parameters + encoderLevels.flatMap { $0.resnets.flatMap(\.parameters) + ($0.downsample?.parameters ?? []) }
            + encoderMid.parameters + encoderNorm.parameters + encoderOut.parameters + (quant?.parameters ?? [])
            + (postQuant?.parameters ?? []) + decoderIn.parameters + decoderMid.parameters
            + decoderLevels.flatMap { $0.resnets.flatMap(\.parameters) + ($0.upsample?.parameters ?? []) }
            + decoderNorm.parameters + decoderOut.parameters
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// A model folder in diffusers' layout, loaded for inference; `accept` may refuse its
    /// config before any weight is read.
    public static func load(folder: URL, accept: (AutoencoderConfig, String) throws(DiffusersModelError) -> Void = { _, _ in }) throws(DiffusersModelError) -> Autoencoder {
        let url = folder.appendingPathComponent("config.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DiffusersModelError("cannot read \(url.path): \(error.localizedDescription)") }
        let config = try AutoencoderConfig(json: data, source: url.path)
        try accept(config, url.path)
        let model = Parameter.$buildsForInference.withValue(true) {
            var stream = RandomStream(seed: 0)
            return Autoencoder(config, stream: &stream)
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
        return tape.value(moments(tape.constant(image), on: tape, trace: trace))
    }

    /// Images [B, out_channels, H, W] for latents z [B, latent_channels, h, w].
    public func decode(_ latents: Tensor, trace: ((String, Tensor) -> Void)? = nil) -> Tensor {
        let tape = Tape()
        tape.isRecording = false
        return tape.value(decode(tape.constant(latents), on: tape, trace: trace))
    }

    /// q(z|x) = N(μ, diag σ²) for images x on a tape (recorded when training): the two halves
    /// of the moments, μ the first `latent_channels` channels and log σ² the rest, as
    /// diffusers' DiagonalGaussianDistribution splits them.
    public func encode(_ x: Variable, on tape: Tape) -> (mean: Variable, logVariance: Variable) {
        let both = moments(x, on: tape, trace: nil), latent = config.latentChannels
        return (tape.sliceChannels(both, 0..<latent), tape.sliceChannels(both, latent..<(2 * latent)))
    }

    /// The encoder up to `quant_conv`: [B, 2·latent_channels, h, w].
    func moments(_ x: Variable, on tape: Tape, trace: ((String, Tensor) -> Void)?) -> Variable {
        func record(_ name: String, _ value: Variable) { trace?(name, tape.value(value)) }
        var h = encoderIn(x, on: tape)
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
        return h
    }

    /// The reconstruction x̂ of latents z on a tape (recorded when training).
    public func decode(_ z: Variable, on tape: Tape, trace: ((String, Tensor) -> Void)? = nil) -> Variable {
        func record(_ name: String, _ value: Variable) { trace?(name, tape.value(value)) }
        var h = z
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
        return h
    }
}
