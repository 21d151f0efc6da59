import Neural
import Stochastic

/// A tiny text encoder (the CLIP text model's role in Stable Diffusion): token embeddings
/// plus learned positions, one TransformerBlock of self-attention and GEGLU feed-forward,
/// a final LayerNorm; a prompt becomes `length` context tokens of `channels` features that
/// the U-Net's cross-attention reads.
public struct TextEncoder {
    public static let length = 4

    public let tokens: Parameter, positions: Parameter
    public let block: TransformerBlock
    public let norm: LayerNorm
    public let channels: Int

    /// `.diffusers` naming gives the tensor names of the exported model folder
    /// (`token_embedding.weight`, `position_embedding.weight`, `transformer_block.…` as a
    /// diffusers BasicTransformerBlock with attention biases, `final_layer_norm.…`).
    public init(channels: Int = 64, heads: Int = 4, naming: ModuleNaming = .project, stream: inout RandomStream) {
        self.channels = channels
        let diffusers = naming == .diffusers
        tokens = Parameter.normal(name: diffusers ? "token_embedding.weight" : "text.tokens", shape: [Prompt.vocabulary.count, channels], deviation: 0.02, stream: &stream)
        positions = Parameter.normal(name: diffusers ? "position_embedding.weight" : "text.positions", shape: [Self.length, channels], deviation: 0.01, stream: &stream)
        block = TransformerBlock(name: diffusers ? "transformer_block" : "text.block", channels: channels, contextChannels: nil, heads: heads,
                                 naming: naming, projectionBias: true, stream: &stream)
        norm = LayerNorm(name: diffusers ? "final_layer_norm" : "text.norm", features: channels)
    }

    /// The embedding tables, stored [rows, channels] in PyTorch too (not transposed as a
    /// linear layer's weight is).
    public var tables: [Parameter] { [tokens, positions] }

    public var parameters: [Parameter] { [tokens, positions] + block.parameters + norm.parameters }

    /// The context [B·length, channels] of a batch of prompts.
    public func callAsFunction(_ prompts: [Prompt], on tape: Tape) -> Variable {
        context(tokens: tape.parameter(tokens), prompts: prompts, on: tape)
    }

    /// The same with the token table given as a variable (gradient checks perturb it).
    func context(tokens table: Variable, prompts: [Prompt], on tape: Tape) -> Variable {
        let ids = prompts.flatMap(\.tokens)
        let positionIds = prompts.flatMap { _ in Array(0..<Self.length) }
        let x = tape.add(tape.embedding(table: table, indices: ids),
                         tape.embedding(table: tape.parameter(positions), indices: positionIds))
        return norm(block(x, context: nil, batch: prompts.count, on: tape), on: tape)
    }
}
