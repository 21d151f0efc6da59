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
    /// Above `parallelWork` elements the parameters, laid end to end, are cut into `threads`
    /// contiguous parts updated in parallel. Each element's arithmetic is the same whichever
    /// part holds it (and in the SIMD lanes as in the scalar tail), so the result does not
    /// depend on the thread count.
    public func update(threads: Int = BLAS.threads) {
        step += 1
        let correction1 = 1 - pow(Double(beta1), Double(step))
        let correction2 = 1 - pow(Double(beta2), Double(step))
        let rule = AdamRule(beta1: beta1, beta2: beta2, epsilon: epsilon, stepSize: learningRate / Float(correction1),
                            rootCorrection2: Float(correction2.squareRoot()))
        let blocks = parameters.indices.map { index in
            AdamRule.Block(theta: UInt(bitPattern: parameters[index].value.pointer), gradient: UInt(bitPattern: parameters[index].gradient.pointer),
                           first: UInt(bitPattern: firstMoments[index].pointer), second: UInt(bitPattern: secondMoments[index].pointer),
                           count: parameters[index].value.count)
        }
        let total = blocks.reduce(0) { $0 + $1.count }
        Parts.run(total, work: total, minimumWork: Self.parallelWork, threads: threads) { rule.apply(blocks, elements: $0) }
    }

    /// Below this many elements a second thread costs more than it saves.
    static let parallelWork = 1 << 16

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

/// Adam's element-wise rule with the step's constants, applied to a range of the
/// parameters laid end to end.
struct AdamRule: Sendable {
    let beta1, beta2, epsilon, stepSize, rootCorrection2: Float

    /// One parameter's four arrays (as addresses, so that the parts can share them).
    struct Block: Sendable {
        let theta, gradient, first, second: UInt
        let count: Int
    }

    /// Updates elements `elements` of the concatenation of `blocks`.
    func apply(_ blocks: [Block], elements: Range<Int>) {
        var offset = 0
        for block in blocks {
            let low = max(elements.lowerBound, offset), high = min(elements.upperBound, offset + block.count)
            if low < high { apply(block, low - offset ..< high - offset) }
            offset += block.count
        }
    }

    /// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g·g, θ ← θ − stepSize·m/(√v/√(1 − β₂ᵗ) + ε),
    /// g ← 0. A plain loop, which the compiler vectorizes whole, square root included
    /// (`SIMD8<Float>.squareRoot()` compiled to eight scalar square roots and shuffles,
    /// and Adam took 8 % of a toy training step).
    private func apply(_ block: Block, _ range: Range<Int>) {
        let theta = UnsafeMutablePointer<Float>(bitPattern: block.theta)!, g = UnsafeMutablePointer<Float>(bitPattern: block.gradient)!
        let m = UnsafeMutablePointer<Float>(bitPattern: block.first)!, v = UnsafeMutablePointer<Float>(bitPattern: block.second)!
        let (beta1, beta2, rest1, rest2) = (beta1, beta2, 1 - beta1, 1 - beta2)
        let (stepSize, rootCorrection2, epsilon) = (stepSize, rootCorrection2, epsilon)
        for i in range {
            let gradient = g[i]
            let first = beta1 * m[i] + rest1 * gradient
            let second = beta2 * v[i] + rest2 * gradient * gradient
            m[i] = first
            v[i] = second
            theta[i] -= stepSize * first / (second.squareRoot() / rootCorrection2 + epsilon)
            g[i] = 0
        }
    }
}
