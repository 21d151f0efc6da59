import Neural
import Stochastic

/// The transformer feed-forward of Stable Diffusion's BasicTransformerBlock with a GEGLU
/// (Shazeer 2020): y = (a ⊙ GELU(g))·W₂ + b₂ where [a, g] = x·W₁ + b₁, inner width
/// `multiplier`·C.
public struct FeedForward {
    public let input: Linear, output: Linear

    /// With `.diffusers` naming the layers are net.0.proj and net.2.
    public init(name: String, channels: Int, multiplier: Int = 4, naming: ModuleNaming = .project, stream: inout RandomStream) {
        let diffusers = naming == .diffusers
        input = Linear(name: name + (diffusers ? ".net.0.proj" : ".geglu"), inputs: channels, outputs: 2 * multiplier * channels, stream: &stream)
        output = Linear(name: name + (diffusers ? ".net.2" : ".output"), inputs: multiplier * channels, outputs: channels, stream: &stream)
    }

    public var parameters: [Parameter] { input.parameters + output.parameters }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        output(tape.geglu(input(x, on: tape)), on: tape)
    }
}
