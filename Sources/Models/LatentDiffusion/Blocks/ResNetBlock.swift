import Neural
import Stochastic

/// The ResNet block of the LDM autoencoder and U-Net ("GSC": GroupNorm → SiLU → Conv):
/// h = Conv3×3(SiLU(GN(x))) [+ Linear(SiLU(temb)) added to every pixel of its channel],
/// y = Conv3×3(SiLU(GN(h))) + skip(x), where skip is a 1×1 convolution when the channel
/// count changes and the identity otherwise (diffusers' ResnetBlock2D with its defaults).
public struct ResNetBlock {
    public let norm1: GroupNorm, conv1: Conv2d
    public let time: Linear?
    public let norm2: GroupNorm, conv2: Conv2d
    public let skip: Conv2d?

    /// `timeDimensions` nil: no time embedding (the autoencoder's blocks). `epsilon` is the
    /// GroupNorms' ε (diffusers: the U-Net's `norm_eps`, 10⁻⁶ in the autoencoder).
    public init(
        name: String, inputs: Int, outputs: Int, timeDimensions: Int?, groups: Int, epsilon: Float = 1e-5,
        naming: ModuleNaming = .project, stream: inout RandomStream
    ) {
        let diffusers = naming == .diffusers
        norm1 = GroupNorm(name: name + ".norm1", channels: inputs, groups: groups, epsilon: epsilon)
        conv1 = Conv2d(name: name + ".conv1", inputs: inputs, outputs: outputs, kernel: 3, stream: &stream)
        time = timeDimensions.map { Linear(name: name + (diffusers ? ".time_emb_proj" : ".time"), inputs: $0, outputs: outputs, stream: &stream) }
        norm2 = GroupNorm(name: name + ".norm2", channels: outputs, groups: groups, epsilon: epsilon)
        conv2 = Conv2d(name: name + ".conv2", inputs: outputs, outputs: outputs, kernel: 3, stream: &stream)
        skip = inputs == outputs ? nil
            : Conv2d(name: name + (diffusers ? ".conv_shortcut" : ".skip"), inputs: inputs, outputs: outputs, kernel: 1, stream: &stream)
    }

    public var parameters: [Parameter] {
        norm1.parameters + conv1.parameters + (time?.parameters ?? []) + norm2.parameters + conv2.parameters + (skip?.parameters ?? [])
    }

    /// x [B, Cin, H, W]; `activatedTime` = SiLU(temb) [B, timeDimensions] when the block has a time projection.
    public func callAsFunction(_ x: Variable, activatedTime: Variable? = nil, on tape: Tape) -> Variable {
        var h = conv1(tape.silu(norm1(x, on: tape)), on: tape)
        if let time, let activatedTime { h = tape.addChannelBias(h, time(activatedTime, on: tape)) }
        h = conv2(tape.silu(norm2(h, on: tape)), on: tape)
        return tape.add(h, skip.map { $0(x, on: tape) } ?? x)
    }
}
