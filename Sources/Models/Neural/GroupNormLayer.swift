/// Group normalization over `groups` groups of `channels` channels with a learned
/// per-channel scale γ (starts at 1) and shift β (starts at 0), named as in PyTorch
/// ("name.weight", "name.bias").
public struct GroupNorm {
    public let gamma: Parameter
    public let beta: Parameter
    public let groups: Int
    public let epsilon: Float

    public init(name: String, channels: Int, groups: Int, epsilon: Float = 1e-5) {
        precondition(groups > 0 && channels % groups == 0, "GroupNorm \(name): \(channels) channels do not split into \(groups) groups")
        gamma = Parameter(name: name + ".weight", value: Tensor(shape: [channels], values: [Float](repeating: 1, count: channels)))
        beta = Parameter(name: name + ".bias", value: Tensor(zeros: [channels]))
        self.groups = groups
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [gamma, beta] }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.groupNorm(x, groups: groups, gamma: tape.parameter(gamma), beta: tape.parameter(beta), epsilon: epsilon)
    }
}
