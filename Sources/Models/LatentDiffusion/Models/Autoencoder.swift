import Neural
import Stochastic

/// The KL-regularized autoencoder of latent diffusion (Rombach et al. 2022, §3.1), sized for
/// 32×32 Fashion-MNIST: the encoder maps x [B, 1, 32, 32] to the mean and log-variance of
/// q(z|x) = N(μ, diag σ²) with z [B, 4, 8, 8] (two stride-2 downsamples, a compression of
/// 1024 pixels to 256 latent numbers); the decoder mirrors it back to pixels.
///
/// Encoder: conv_in 1→16, ResNetBlock(16,16) @32², Downsample, ResNetBlock(16,32) @16²,
/// Downsample, ResNetBlock(32,64) @8², GN → SiLU → two 3×3 convs 64→4 (μ and log σ²).
/// Decoder: conv_in 4→64, ResNetBlock(64,32) @8², Upsample, ResNetBlock(32,16) @16², Upsample,
/// ResNetBlock(16,16) @32², GN → SiLU → conv 16→1.
public final class Autoencoder {
    public static let latentChannels = 4
    public static let groups = 8

    let encoderIn: Conv2d
    let encoderBlocks: [ResNetBlock]
    let downsamples: [Downsample]
    let encoderNorm: GroupNorm, encoderMean: Conv2d, encoderLogVariance: Conv2d
    let decoderIn: Conv2d
    let decoderBlocks: [ResNetBlock]
    let upsamples: [Upsample]
    let decoderNorm: GroupNorm, decoderOut: Conv2d

    public init(seed: UInt64) {
        var stream = RandomStream(seed: seed, stream: 0x5641_4500)
        let g = Self.groups, z = Self.latentChannels
        encoderIn = Conv2d(name: "encoder.conv_in", inputs: 1, outputs: 16, kernel: 3, stream: &stream)
        encoderBlocks = [
            ResNetBlock(name: "encoder.0", inputs: 16, outputs: 16, timeDimensions: nil, groups: g, stream: &stream),
            ResNetBlock(name: "encoder.1", inputs: 16, outputs: 32, timeDimensions: nil, groups: g, stream: &stream),
            ResNetBlock(name: "encoder.2", inputs: 32, outputs: 64, timeDimensions: nil, groups: g, stream: &stream),
        ]
        downsamples = [
            Downsample(name: "encoder.down.0", channels: 16, stream: &stream),
            Downsample(name: "encoder.down.1", channels: 32, stream: &stream),
        ]
        encoderNorm = GroupNorm(name: "encoder.norm_out", channels: 64, groups: g)
        encoderMean = Conv2d(name: "encoder.mean", inputs: 64, outputs: z, kernel: 3, stream: &stream)
        encoderLogVariance = Conv2d(name: "encoder.log_variance", inputs: 64, outputs: z, kernel: 3, stream: &stream)
        decoderIn = Conv2d(name: "decoder.conv_in", inputs: z, outputs: 64, kernel: 3, stream: &stream)
        decoderBlocks = [
            ResNetBlock(name: "decoder.0", inputs: 64, outputs: 32, timeDimensions: nil, groups: g, stream: &stream),
            ResNetBlock(name: "decoder.1", inputs: 32, outputs: 16, timeDimensions: nil, groups: g, stream: &stream),
            ResNetBlock(name: "decoder.2", inputs: 16, outputs: 16, timeDimensions: nil, groups: g, stream: &stream),
        ]
        upsamples = [
            Upsample(name: "decoder.up.0", channels: 32, stream: &stream),
            Upsample(name: "decoder.up.1", channels: 16, stream: &stream),
        ]
        decoderNorm = GroupNorm(name: "decoder.norm_out", channels: 16, groups: g)
        decoderOut = Conv2d(name: "decoder.conv_out", inputs: 16, outputs: 1, kernel: 3, stream: &stream)
    }

    public var encoderParameters: [Parameter] {
        encoderIn.parameters + encoderBlocks.flatMap(\.parameters) + downsamples.flatMap(\.parameters) + encoderNorm.parameters + encoderMean.parameters + encoderLogVariance.parameters
    }

    public var decoderParameters: [Parameter] {
        decoderIn.parameters + decoderBlocks.flatMap(\.parameters) + upsamples.flatMap(\.parameters) + decoderNorm.parameters + decoderOut.parameters
    }

    public var parameters: [Parameter] { encoderParameters + decoderParameters }

    /// The moments of q(z|x): mean and log σ², each [B, 4, 8, 8].
    public func encode(_ x: Variable, on tape: Tape) -> (mean: Variable, logVariance: Variable) {
        var h = encoderIn(x, on: tape)
        for (index, block) in encoderBlocks.enumerated() {
            if index > 0 { h = downsamples[index - 1](h, on: tape) }
            h = block(h, on: tape)
        }
        h = tape.silu(encoderNorm(h, on: tape))
        return (encoderMean(h, on: tape), encoderLogVariance(h, on: tape))
    }

    /// The reconstruction x̂ [B, 1, 32, 32] of latents z [B, 4, 8, 8].
    public func decode(_ z: Variable, on tape: Tape) -> Variable {
        var h = decoderIn(z, on: tape)
        for (index, block) in decoderBlocks.enumerated() {
            if index > 0 { h = upsamples[index - 1](h, on: tape) }
            h = block(h, on: tape)
        }
        return decoderOut(tape.silu(decoderNorm(h, on: tape)), on: tape)
    }
}
