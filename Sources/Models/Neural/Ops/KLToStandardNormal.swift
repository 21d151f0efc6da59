/// The KL regulariser of a VAE's latent: for q = N(μ, σ²) per element and p = N(0, 1),
/// L = (1/B) Σ ½(μ² + σ² − 1 − log σ²), summed over every element and averaged over the
/// batch B = shape[0] (as LDM's KL loss does). log σ² is clamped to [−30, 20] first, like
/// LDM's DiagonalGaussianDistribution; the gradient is zero where the clamp is active.
/// Backward: ∂L/∂μ = μ/B, ∂L/∂log σ² = ½(σ² − 1)/B.
extension Tape {
    public func klToStandardNormal(mean: Variable, logVariance: Variable) -> Variable {
        let mu = value(mean), logVar = value(logVariance), count = mu.count
        precondition(mu.shape == logVar.shape && !mu.shape.isEmpty && mu.rows > 0,
                     "klToStandardNormal: mean \(mu.shape), log-variance \(logVar.shape)")
        let batch = mu.rows
        let low = Self.logVarianceBounds.lowerBound, high = Self.logVarianceBounds.upperBound
        let m = mu.pointer, l = logVar.pointer
        var total: Double = 0
        for index in 0..<count {
            let clamped = min(max(l[index], low), high)
            total += Double(m[index] * m[index] + FastMath.exp(clamped) - 1 - clamped)
        }
        let output = scratch([1])
        output[0] = Float(0.5 * total / Double(batch))
        return record(output) { tape, dy in
            let scale = dy[0] / Float(batch)
            if tape.needsGradient(mean) {
                let dm = tape.gradientToAccumulate(mean).pointer
                for index in 0..<count { dm[index] += scale * m[index] }
            }
            if tape.needsGradient(logVariance) {
                let dl = tape.gradientToAccumulate(logVariance).pointer
                for index in 0..<count {
                    let value = l[index]
                    let inside = value >= low && value <= high
                    dl[index] += inside ? 0.5 * scale * (FastMath.exp(value) - 1) : 0
                }
            }
        }
    }
}
