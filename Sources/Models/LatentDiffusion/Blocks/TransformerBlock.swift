import Neural
import Stochastic

/// Stable Diffusion's BasicTransformerBlock on tokens [B·N, C]:
/// x += SelfAttention(LN₁(x)); x += CrossAttention(LN₂(x), context); x += FeedForward(LN₃(x)).
/// Without a context (the text encoder's own layers) the cross-attention is left out.
public struct TransformerBlock {
    public let norm1: LayerNorm, selfAttention: MultiHeadAttention
    public let cross: (norm: LayerNorm, attention: MultiHeadAttention)?
    public let norm3: LayerNorm, feedForward: FeedForward

    /// `projectionBias`: whether q, k and v have biases (by default as `naming` has them:
    /// the project's do, diffusers' U-Net's do not).
    public init(
        name: String, channels: Int, contextChannels: Int?, heads: Int, naming: ModuleNaming = .project, projectionBias: Bool? = nil,
        stream: inout RandomStream
    ) {
        norm1 = LayerNorm(name: name + ".norm1", features: channels)
        selfAttention = MultiHeadAttention(name: name + ".attn1", channels: channels, contextChannels: channels, heads: heads, naming: naming,
                                           projectionBias: projectionBias, stream: &stream)
        cross = contextChannels.map { context in
            (LayerNorm(name: name + ".norm2", features: channels),
             MultiHeadAttention(name: name + ".attn2", channels: channels, contextChannels: context, heads: heads, naming: naming,
                                projectionBias: projectionBias, stream: &stream))
        }
        norm3 = LayerNorm(name: name + ".norm3", features: channels)
        feedForward = FeedForward(name: name + ".ff", channels: channels, naming: naming, stream: &stream)
    }

    public var parameters: [Parameter] {
        norm1.parameters + selfAttention.parameters + (cross.map { $0.norm.parameters + $0.attention.parameters } ?? [])
            + norm3.parameters + feedForward.parameters
    }

    public func callAsFunction(_ x: Variable, context: Variable?, batch: Int, on tape: Tape) -> Variable {
        var h = tape.add(x, selfAttention(norm1(x, on: tape), batch: batch, on: tape))
        if let cross, let context {
            h = tape.add(h, cross.attention(cross.norm(h, on: tape), context: context, batch: batch, on: tape))
        }
        return tape.add(h, feedForward(norm3(h, on: tape), on: tape))
    }
}
