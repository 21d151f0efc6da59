import Neural
import Stochastic

/// The conditional ε-prediction U-Net of latent diffusion, ε_θ(z_t, t, c):
/// temb = Linear(SiLU(Linear(sinusoidal(t)))); conv_in; at each level a ResNetBlock (with
/// temb) and an attention block reading the context c, then a stride-2 downsample; back up,
/// each level concatenates the skip of its encoder level, a ResNetBlock and an attention
/// block, then a nearest ×2 upsample + 3×3 conv; out = Conv3×3(SiLU(GN(h))).
public final class UNet {
    public let configuration: UNetConfiguration
    public let embedding: SinusoidalEmbedding
    public let time1: Linear, time2: Linear
    public let input: Conv2d
    public let down: [(res: ResNetBlock, attention: AttentionBlock)]
    public let downsamples: [Downsample]
    public let up: [(res: ResNetBlock, attention: AttentionBlock)]
    public let upsamples: [Upsample]
    public let outNorm: GroupNorm, output: Conv2d

    /// Either attention block kind behind one call.
    public enum AttentionBlock {
        case spatial(SpatialTransformer)
        case compact(CompactAttentionBlock)

        var parameters: [Parameter] {
            switch self {
            case .spatial(let block): block.parameters
            case .compact(let block): block.parameters
            }
        }

        func callAsFunction(_ x: Variable, context: Variable, on tape: Tape) -> Variable {
            switch self {
            case .spatial(let block): block(x, context: context, on: tape)
            case .compact(let block): block(x, context: context, on: tape)
            }
        }
    }

    public init(_ c: UNetConfiguration, steps: Int = 1000, stream: inout RandomStream) {
        configuration = c
        embedding = SinusoidalEmbedding(dimensions: c.timeEmbedding, steps: steps)
        time1 = Linear(name: "time.1", inputs: c.timeEmbedding, outputs: c.timeDimensions, stream: &stream)
        time2 = Linear(name: "time.2", inputs: c.timeDimensions, outputs: c.timeDimensions, stream: &stream)
        input = Conv2d(name: "conv_in", inputs: c.latentChannels, outputs: c.channels[0], kernel: 3, stream: &stream)
        func attention(_ name: String, _ channels: Int) -> AttentionBlock {
            switch c.attention {
            case .spatialTransformer:
                .spatial(SpatialTransformer(name: name, channels: channels, contextChannels: c.contextChannels, heads: c.heads, groups: c.groups, stream: &stream))
            case .compact:
                .compact(CompactAttentionBlock(name: name, channels: channels, contextChannels: c.contextChannels, heads: c.heads, groups: c.groups, stream: &stream))
            }
        }
        var down: [(ResNetBlock, AttentionBlock)] = [], downsamples: [Downsample] = []
        var previous = c.channels[0]
        for (level, channels) in c.channels.enumerated() {
            if level > 0 { downsamples.append(Downsample(name: "down.\(level - 1).downsample", channels: previous, stream: &stream)) }
            down.append((ResNetBlock(name: "down.\(level).res", inputs: previous, outputs: channels, timeDimensions: c.timeDimensions, groups: c.groups, stream: &stream),
                         attention("down.\(level).attn", channels)))
            previous = channels
        }
        var up: [(ResNetBlock, AttentionBlock)] = [], upsamples: [Upsample] = []
        for (level, channels) in c.channels.enumerated().reversed() {
            up.append((ResNetBlock(name: "up.\(level).res", inputs: previous + channels, outputs: channels, timeDimensions: c.timeDimensions, groups: c.groups, stream: &stream),
                       attention("up.\(level).attn", channels)))
            previous = channels
            if level > 0 { upsamples.append(Upsample(name: "up.\(level).upsample", channels: channels, stream: &stream)) }
        }
        self.down = down
        self.downsamples = downsamples
        self.up = up
        self.upsamples = upsamples
        outNorm = GroupNorm(name: "out.norm", channels: c.channels[0], groups: c.groups)
        output = Conv2d(name: "conv_out", inputs: c.channels[0], outputs: c.latentChannels, kernel: 3, stream: &stream)
    }

    public var parameters: [Parameter] {
        var all = time1.parameters + time2.parameters + input.parameters
        for (level, block) in down.enumerated() {
            if level > 0 { all += downsamples[level - 1].parameters }
            all += block.res.parameters + block.attention.parameters
        }
        for (index, block) in up.enumerated() {
            all += block.res.parameters + block.attention.parameters
            if index < upsamples.count { all += upsamples[index].parameters }
        }
        return all + outNorm.parameters + output.parameters
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// ε_θ for latents x [B, C, H, W] at model indices t − 1 (`indices`, one per image) with
    /// `context` [B·M, contextChannels].
    public func callAsFunction(_ x: Variable, indices: [Int], context: Variable, on tape: Tape) -> Variable {
        let dimensions = configuration.timeEmbedding
        let sinusoid = tape.input(shape: [indices.count, dimensions]) { target in
            for (row, index) in indices.enumerated() { embedding.write(index, to: target + row * dimensions) }
        }
        let activatedTime = tape.silu(time2(tape.silu(time1(sinusoid, on: tape)), on: tape))
        var h = input(x, on: tape)
        var skips: [Variable] = []
        for (level, block) in down.enumerated() {
            if level > 0 { h = downsamples[level - 1](h, on: tape) }
            h = block.attention(block.res(h, activatedTime: activatedTime, on: tape), context: context, on: tape)
            skips.append(h)
        }
        for (index, block) in up.enumerated() {
            h = tape.concatChannels([h, skips[skips.count - 1 - index]])
            h = block.attention(block.res(h, activatedTime: activatedTime, on: tape), context: context, on: tape)
            if index < upsamples.count { h = upsamples[index](h, on: tape) }
        }
        return output(tape.silu(outNorm(h, on: tape)), on: tape)
    }
}
