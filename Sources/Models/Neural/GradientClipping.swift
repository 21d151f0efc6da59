/// Clipping by the global norm (Pascanu, Mikolov & Bengio 2013, "On the difficulty of
/// training recurrent neural networks", Algorithm 1): with g the gradients of all
/// parameters laid end to end, if ‖g‖₂ > c then g ← (c/‖g‖₂)·g, so the update keeps its
/// direction and its length is at most c. Below c nothing changes.
public enum GradientClipping {
    /// ‖g‖₂ over every parameter's gradient, the squares summed in Double (eight running
    /// sums, so that the loop vectorizes; a single sum would wait on each addition).
    public static func globalNorm(_ parameters: [Parameter]) -> Double {
        var lanes = SIMD8<Double>()
        var sum = 0.0
        for parameter in parameters {
            let g = parameter.gradient.pointer, count = parameter.gradient.count
            var i = 0
            while i + 8 <= count {
                let x = SIMD8<Double>(UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self))
                lanes += x * x
                i += 8
            }
            while i < count {
                sum += Double(g[i]) * Double(g[i])
                i += 1
            }
        }
        return (sum + lanes.sum()).squareRoot()
    }

    /// Scales every gradient by c/‖g‖₂ when ‖g‖₂ > c (`maxNorm` = c > 0); returns ‖g‖₂ before
    /// clipping. A non-finite norm is returned and nothing is scaled: the loss is then NaN
    /// or ∞ as well, and the caller stops.
    @discardableResult
    public static func clip(_ parameters: [Parameter], maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "the clipping norm is > 0")
        let norm = globalNorm(parameters)
        guard norm.isFinite, norm > maxNorm else { return norm }
        let scale = Float(maxNorm / norm)
        for parameter in parameters {
            let g = parameter.gradient.pointer
            for i in 0..<parameter.gradient.count { g[i] *= scale }
        }
        return norm
    }
}
