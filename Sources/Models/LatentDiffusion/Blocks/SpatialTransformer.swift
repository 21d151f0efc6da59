import Neural
import Stochastic

/// Stable Diffusion's SpatialTransformer (diffusers' Transformer2DModel) on an image
/// x [B, C, H, W]: h = proj_in(GN(x)), tokens [B·HW, C] through `layers` TransformerBlocks
/// with cross-attention to the context, back to [B, C, H, W], y = x + proj_out(h).
///
/// proj_in and proj_out are 1×1 convolutions on the image, or (`linearProjection`, as SD 2
/// and SDXL configure it) linear layers on the tokens: the same map with the weight stored
/// as [C, C] instead of [C, C, 1, 1], applied after the reshape instead of before.
public struct SpatialTransformer {
    /// A 1×1 convolution or a linear layer on the tokens.
    public enum Projection {
        case convolution(Conv2d)
        case linear(Linear)

        var parameters: [Parameter] {
            switch self {
            case .convolution(let layer): layer.parameters
            case .linear(let layer): layer.parameters
            }
        }
    }

    public let norm: GroupNorm, projectIn: Projection, blocks: [TransformerBlock], projectOut: Projection

    /// The first (with the project's naming, the only) transformer block.
    public var block: TransformerBlock { blocks[0] }

    /// `epsilon` is the GroupNorm's ε (diffusers: 10⁻⁶; the project's own models: 10⁻⁵).
    /// The blocks are named `name.block` (project, one layer) or `name.transformer_blocks.i`.
    public init(
        name: String, channels: Int, contextChannels: Int, heads: Int, groups: Int, layers: Int = 1,
        linearProjection: Bool = false, epsilon: Float = 1e-5, naming: ModuleNaming = .project, stream: inout RandomStream
    ) {
        precondition(layers >= 1 && (naming == .diffusers || layers == 1), "a SpatialTransformer has at least one block; several only with diffusers' names")
        func projection(_ suffix: String) -> Projection {
            linearProjection ? .linear(Linear(name: name + suffix, inputs: channels, outputs: channels, stream: &stream))
                : .convolution(Conv2d(name: name + suffix, inputs: channels, outputs: channels, kernel: 1, stream: &stream))
        }
        norm = GroupNorm(name: name + ".norm", channels: channels, groups: groups, epsilon: epsilon)
        projectIn = projection(".proj_in")
        blocks = (0..<layers).map { index in
            TransformerBlock(name: name + (naming == .diffusers ? ".transformer_blocks.\(index)" : ".block"), channels: channels,
                             contextChannels: contextChannels, heads: heads, naming: naming, stream: &stream)
        }
        projectOut = projection(".proj_out")
    }

    public var parameters: [Parameter] {
        norm.parameters + projectIn.parameters + blocks.flatMap(\.parameters) + projectOut.parameters
    }

    /// `trace` receives each transformer block's output (its index and the tokens [B·HW, C]).
    public func callAsFunction(_ x: Variable, context: Variable, on tape: Tape, trace: ((Int, Variable) -> Void)? = nil) -> Variable {
        let shape = tape.value(x).shape
        let normalized = norm(x, on: tape)
        var tokens: Variable
        switch projectIn {
        case .convolution(let layer): tokens = tape.imageToTokens(layer(normalized, on: tape))
        case .linear(let layer): tokens = layer(tape.imageToTokens(normalized), on: tape)
        }
        for (index, block) in blocks.enumerated() {
            tokens = block(tokens, context: context, batch: shape[0], on: tape)
            trace?(index, tokens)
        }
        let projected: Variable
        switch projectOut {
        case .convolution(let layer):
            projected = layer(tape.tokensToImage(tokens, batch: shape[0], height: shape[2], width: shape[3]), on: tape)
        case .linear(let layer):
            projected = tape.tokensToImage(layer(tokens, on: tape), batch: shape[0], height: shape[2], width: shape[3])
        }
        return tape.add(x, projected)
    }
}
