import Neural
import Stochastic

/// Multi-head attention (Vaswani et al. 2017) as the LDM U-Net uses it: Q = x·W_q,
/// K = c·W_k, V = c·W_v, per head softmax(Q Kᵀ/√d)·V, concatenated heads ·W_o. Self-attention
/// when the context c is x itself; cross-attention when c is the text encoder's tokens
/// (queries from the image tokens [B·HW, C], keys and values from [B·M, C_ctx]).
public struct MultiHeadAttention {
    public let query: Linear, key: Linear, value: Linear, output: Linear
    public let heads: Int

    /// With `.diffusers` naming the projections are to_q, to_k, to_v and to_out.0, and q, k,
    /// v have no bias unless `projectionBias` says so (the autoencoder's attention has them).
    public init(
        name: String, channels: Int, contextChannels: Int, heads: Int, naming: ModuleNaming = .project, projectionBias: Bool? = nil,
        stream: inout RandomStream
    ) {
        precondition(channels % heads == 0, "\(channels) channels do not split into \(heads) heads")
        let diffusers = naming == .diffusers, bias = projectionBias ?? !diffusers
        query = Linear(name: name + (diffusers ? ".to_q" : ".query"), inputs: channels, outputs: channels, bias: bias, stream: &stream)
        key = Linear(name: name + (diffusers ? ".to_k" : ".key"), inputs: contextChannels, outputs: channels, bias: bias, stream: &stream)
        value = Linear(name: name + (diffusers ? ".to_v" : ".value"), inputs: contextChannels, outputs: channels, bias: bias, stream: &stream)
        output = Linear(name: name + (diffusers ? ".to_out.0" : ".output"), inputs: channels, outputs: channels, stream: &stream)
        self.heads = heads
    }

    public var parameters: [Parameter] { query.parameters + key.parameters + value.parameters + output.parameters }

    /// x [batch·N, C]; context [batch·M, C_ctx] (nil: self-attention over x).
    public func callAsFunction(_ x: Variable, context: Variable? = nil, batch: Int, on tape: Tape) -> Variable {
        let source = context ?? x
        let attended = tape.attention(query: query(x, on: tape), key: key(source, on: tape), value: value(source, on: tape), batch: batch, heads: heads)
        return output(attended, on: tape)
    }
}
