/// Layer normalization over the last dimension (`features` values) with a learned scale γ
/// (starts at 1) and shift β (starts at 0), named as in PyTorch ("name.weight", "name.bias").
public struct LayerNorm {
    public let gamma: Parameter
    public let beta: Parameter
    public let epsilon: Float

    public init(name: String, features: Int, epsilon: Float = 1e-5) {
        precondition(features > 0, "LayerNorm \(name): features must be positive")
        gamma = Parameter(name: name + ".weight", value: Tensor(shape: [features], values: [Float](repeating: 1, count: features)))
        beta = Parameter(name: name + ".bias", value: Tensor(zeros: [features]))
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [gamma, beta] }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.layerNorm(x, gamma: tape.parameter(gamma), beta: tape.parameter(beta), epsilon: epsilon)
    }
}
