import Stochastic

/// A fully connected layer y = x·W + b with W of shape [in, out] (PyTorch stores Wᵀ) and
/// PyTorch's default initialization U(−1/√in, 1/√in).
public struct Linear {
    public let weight: Parameter
    public let bias: Parameter

    public init(name: String, inputs: Int, outputs: Int, stream: inout RandomStream) {
        weight = .uniform(name: name + ".weight", shape: [inputs, outputs], fanIn: inputs, stream: &stream)
        bias = .uniform(name: name + ".bias", shape: [outputs], fanIn: inputs, stream: &stream)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.linear(x, weight: tape.parameter(weight), bias: tape.parameter(bias))
    }
}
