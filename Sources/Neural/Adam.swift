/// Adam with bias correction (Kingma & Ba 2015, Algorithm 1), in PyTorch's arithmetic:
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε).
/// A step reads each parameter's gradient and clears it.
public final class Adam {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// The number of steps taken (t in the bias corrections).
    public private(set) var step = 0
    /// First and second moment estimates, one pair per parameter (checkpointed for `--resume`).
    public let firstMoments: [Tensor], secondMoments: [Tensor]

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { Tensor(zeros: $0.value.shape) }
        secondMoments = parameters.map { Tensor(zeros: $0.value.shape) }
    }

    /// One update of every parameter from its gradient; the gradients are then zeroed.
    public func update() {
        step += 1
        let correction1 = 1 - pow(Double(beta1), Double(step))
        let correction2 = 1 - pow(Double(beta2), Double(step))
        let stepSize = learningRate / Float(correction1)
        let rootCorrection2 = Float(correction2.squareRoot())
        let b1 = beta1, b2 = beta2, eps = epsilon
        for (index, parameter) in parameters.enumerated() {
            let theta = parameter.value.pointer, g = parameter.gradient.pointer
            let m = firstMoments[index].pointer, v = secondMoments[index].pointer
            for i in 0..<parameter.value.count {
                let gradient = g[i]
                m[i] = b1 * m[i] + (1 - b1) * gradient
                v[i] = b2 * v[i] + (1 - b2) * gradient * gradient
                theta[i] -= stepSize * m[i] / (v[i].squareRoot() / rootCorrection2 + eps)
                g[i] = 0
            }
        }
    }

    /// Restores the step count (with the moments, restored by copying into the tensors).
    public func restore(step: Int) {
        precondition(step >= 0, "an optimizer step count is ≥ 0")
        self.step = step
    }
}

private func pow(_ x: Double, _ y: Double) -> Double {
    var result = 1.0, base = x, exponent = Int(y)
    while exponent > 0 {
        if exponent & 1 == 1 { result *= base }
        base *= base
        exponent >>= 1
    }
    return result
}
