import Stochastic

/// A trainable tensor with its gradient ∂L/∂θ (accumulated by `Tape.backward`, cleared by
/// the optimizer) and the name it has in checkpoints.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Tensor
    public let gradient: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        gradient = Parameter.buildsForInference ? Tensor(zeros: [0]) : Tensor(zeros: value.shape)
    }

    /// True while building a model for inference whose every weight is then read from a
    /// file: `uniform` leaves zeros instead of drawing values that would be overwritten, and
    /// no gradient storage is made (Stable Diffusion's U-Net has 860 M weights: 3.4 GB each
    /// for the draws and the gradients). Set with `Parameter.$buildsForInference.withValue(true) { … }`;
    /// such a parameter cannot be trained (a recording tape refuses it).
    @TaskLocal public static var buildsForInference = false

    /// False for a parameter built for inference only.
    public var hasGradient: Bool { gradient.count == value.count }

    /// PyTorch's default for Linear and Conv layers: U(−1/√fanIn, 1/√fanIn) for weights
    /// and biases alike.
    public static func uniform(name: String, shape: [Int], fanIn: Int, stream: inout RandomStream) -> Parameter {
        guard !buildsForInference else { return Parameter(name: name, value: Tensor(zeros: shape)) }
        let bound = 1 / Double(fanIn).squareRoot()
        let tensor = Tensor(zeros: shape)
        for index in 0..<tensor.count { tensor[index] = Float(stream.uniform(in: -bound...bound)) }
        return Parameter(name: name, value: tensor)
    }

    /// N(0, deviation²) entries, as embedding tables are initialized.
    public static func normal(name: String, shape: [Int], deviation: Double, stream: inout RandomStream) -> Parameter {
        let tensor = Tensor(zeros: shape)
        for index in 0..<tensor.count { tensor[index] = Float(deviation * stream.normal()) }
        return Parameter(name: name, value: tensor)
    }

    /// Sets ∂L/∂θ to zero.
    public func zeroGradient() { gradient.fill(0) }
}
