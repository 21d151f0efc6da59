/// An exponential moving average of the weights, θ̄ ← d·θ̄ + (1 − d)·θ, used for sampling
/// (DDPM §4 uses d = 0.9999; the toy model 0.999). Starts from a copy of the weights.
public final class ExponentialMovingAverage {
    public let decay: Float
    /// The averaged tensors, in the order of the parameters.
    public let averages: [Tensor]
    private let parameters: [Parameter]

    public init(_ parameters: [Parameter], decay: Float) {
        precondition(decay >= 0 && decay < 1, "an EMA decay is in [0, 1)")
        self.decay = decay
        self.parameters = parameters
        averages = parameters.map { parameter in
            let copy = Tensor(zeros: parameter.value.shape)
            copy.copy(from: parameter.value)
            return copy
        }
    }

    /// θ̄ ← d·θ̄ + (1 − d)·θ for every parameter.
    public func update() {
        let d = decay, rest = 1 - decay
        for (average, parameter) in zip(averages, parameters) {
            let target = average.pointer, source = parameter.value.pointer
            for i in 0..<average.count { target[i] = d * target[i] + rest * source[i] }
        }
    }
}
