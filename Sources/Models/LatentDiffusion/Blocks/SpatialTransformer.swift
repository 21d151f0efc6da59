import Neural
import Stochastic

/// Stable Diffusion's SpatialTransformer on an image x [B, C, H, W]:
/// h = proj_in(GN(x)) (1×1 conv), tokens [B·HW, C] through a TransformerBlock with
/// cross-attention to the context, back to [B, C, H, W], y = x + proj_out(h) (1×1 conv).
public struct SpatialTransformer {
    public let norm: GroupNorm, projectIn: Conv2d, block: TransformerBlock, projectOut: Conv2d

    public init(name: String, channels: Int, contextChannels: Int, heads: Int, groups: Int, stream: inout RandomStream) {
        norm = GroupNorm(name: name + ".norm", channels: channels, groups: groups)
        projectIn = Conv2d(name: name + ".proj_in", inputs: channels, outputs: channels, kernel: 1, stream: &stream)
        block = TransformerBlock(name: name + ".block", channels: channels, contextChannels: contextChannels, heads: heads, stream: &stream)
        projectOut = Conv2d(name: name + ".proj_out", inputs: channels, outputs: channels, kernel: 1, stream: &stream)
    }

    public var parameters: [Parameter] { norm.parameters + projectIn.parameters + block.parameters + projectOut.parameters }

    public func callAsFunction(_ x: Variable, context: Variable, on tape: Tape) -> Variable {
        let shape = tape.value(x).shape
        let h = projectIn(norm(x, on: tape), on: tape)
        let tokens = block(tape.imageToTokens(h), context: context, batch: shape[0], on: tape)
        let image = tape.tokensToImage(tokens, batch: shape[0], height: shape[2], width: shape[3])
        return tape.add(x, projectOut(image, on: tape))
    }
}
