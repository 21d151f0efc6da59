import Stochastic

/// A 2-D convolution layer: weight [out, in, k, k], bias [out], PyTorch's default
/// initialization U(−1/√fanIn, 1/√fanIn) with fanIn = in·k·k. Padding defaults to k/2,
/// which keeps the spatial size for odd k at stride 1.
public struct Conv2d {
    public let weight: Parameter
    public let bias: Parameter
    public let stride: Int
    public let padding: Int

    public init(name: String, inputs: Int, outputs: Int, kernel: Int, stride: Int = 1, padding: Int, stream: inout RandomStream) {
        precondition(inputs > 0 && outputs > 0 && kernel > 0, "Conv2d \(name): channels and kernel must be positive")
        let fanIn = inputs * kernel * kernel
        weight = .uniform(name: name + ".weight", shape: [outputs, inputs, kernel, kernel], fanIn: fanIn, stream: &stream)
        bias = .uniform(name: name + ".bias", shape: [outputs], fanIn: fanIn, stream: &stream)
        self.stride = stride
        self.padding = padding
    }

    /// Padding k/2 ("same" for odd kernels at stride 1).
    public init(name: String, inputs: Int, outputs: Int, kernel: Int, stride: Int = 1, stream: inout RandomStream) {
        self.init(name: name, inputs: inputs, outputs: outputs, kernel: kernel, stride: stride, padding: kernel / 2, stream: &stream)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.conv2d(x, weight: tape.parameter(weight), bias: tape.parameter(bias), stride: stride, padding: padding)
    }
}
