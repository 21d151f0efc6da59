import Neural
import Stochastic

/// The attention block of the benchmark U-Net (`lessons bench unet`, the configuration the
/// PyTorch reference measures): x += proj(SelfAttention(GN(x))) with 1×1 q/k/v/proj
/// (per-token linear maps), then tokens += CrossAttention(LN(tokens), context). A
/// SpatialTransformer without proj_in/proj_out and feed-forward.
public struct CompactAttentionBlock {
    public let norm: GroupNorm, selfAttention: MultiHeadAttention
    public let crossNorm: LayerNorm, crossAttention: MultiHeadAttention

    public init(name: String, channels: Int, contextChannels: Int, heads: Int, groups: Int, stream: inout RandomStream) {
        norm = GroupNorm(name: name + ".norm", channels: channels, groups: groups)
        selfAttention = MultiHeadAttention(name: name + ".attn1", channels: channels, contextChannels: channels, heads: heads, stream: &stream)
        crossNorm = LayerNorm(name: name + ".norm2", features: channels)
        crossAttention = MultiHeadAttention(name: name + ".attn2", channels: channels, contextChannels: contextChannels, heads: heads, stream: &stream)
    }

    public var parameters: [Parameter] { norm.parameters + selfAttention.parameters + crossNorm.parameters + crossAttention.parameters }

    public func callAsFunction(_ x: Variable, context: Variable, on tape: Tape) -> Variable {
        let shape = tape.value(x).shape, batch = shape[0]
        var tokens = tape.imageToTokens(x)
        tokens = tape.add(tokens, selfAttention(tape.imageToTokens(norm(x, on: tape)), batch: batch, on: tape))
        tokens = tape.add(tokens, crossAttention(crossNorm(tokens, on: tape), context: context, batch: batch, on: tape))
        return tape.tokensToImage(tokens, batch: batch, height: shape[2], width: shape[3])
    }
}
