import Stochastic

/// A fully connected layer y = x·W + b with W of shape [in, out] (PyTorch stores Wᵀ) and
/// PyTorch's default initialization U(−1/√in, 1/√in). Without a bias (`bias: false`, as
/// diffusers' attention projections are) y = x·W.
public struct Linear {
    public let weight: Parameter
    public let bias: Parameter?

    public init(name: String, inputs: Int, outputs: Int, bias hasBias: Bool = true, stream: inout RandomStream) {
        weight = .uniform(name: name + ".weight", shape: [inputs, outputs], fanIn: inputs, stream: &stream)
        bias = hasBias ? .uniform(name: name + ".bias", shape: [outputs], fanIn: inputs, stream: &stream) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.linear(x, weight: tape.parameter(weight), bias: bias.map(tape.parameter))
    }
}
