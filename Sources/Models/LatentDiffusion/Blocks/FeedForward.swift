import Neural
import Stochastic

/// The transformer feed-forward of Stable Diffusion's BasicTransformerBlock with a GEGLU
/// (Shazeer 2020): y = (a ⊙ GELU(g))·W₂ + b₂ where [a, g] = x·W₁ + b₁, inner width
/// `multiplier`·C.
public struct FeedForward {
    public let input: Linear, output: Linear

    public init(name: String, channels: Int, multiplier: Int = 4, stream: inout RandomStream) {
        input = Linear(name: name + ".geglu", inputs: channels, outputs: 2 * multiplier * channels, stream: &stream)
        output = Linear(name: name + ".output", inputs: multiplier * channels, outputs: channels, stream: &stream)
    }

    public var parameters: [Parameter] { input.parameters + output.parameters }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        output(tape.geglu(input(x, on: tape)), on: tape)
    }
}
