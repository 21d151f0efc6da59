/// The VAE reparameterization (Kingma & Welling 2014): z = μ + σ ⊙ ε, σ = exp(½·log σ²),
/// for a given ε of the same shape, so that z ~ N(μ, σ²) and gradients reach μ and log σ².
/// log σ² is first clamped to [−30, 20], as LDM's DiagonalGaussianDistribution does; the
/// gradient is zero where the clamp is active (outside [−30, 20]).
/// Backward: ∂L/∂μ += ∂L/∂z, ∂L/∂log σ² += ½·∂L/∂z ⊙ σ ⊙ ε (σ ⊙ ε is kept).
extension Tape {
    /// The range log σ² is clamped to by `gaussianSample` and `klToStandardNormal`.
    static let logVarianceBounds: ClosedRange<Float> = -30...20

    public func gaussianSample(mean: Variable, logVariance: Variable, noise: Tensor) -> Variable {
        let mu = value(mean), logVar = value(logVariance), count = mu.count
        precondition(mu.shape == logVar.shape && noise.shape == mu.shape,
                     "gaussianSample: mean \(mu.shape), log-variance \(logVar.shape), noise \(noise.shape)")
        let low = Self.logVarianceBounds.lowerBound, high = Self.logVarianceBounds.upperBound
        let output = scratch(mu.shape), spread = scratch(mu.shape)
        let m = mu.pointer, l = logVar.pointer, epsilon = noise.pointer, z = output.pointer, s = spread.pointer
        for index in 0..<count {
            let clamped = min(max(l[index], low), high)
            s[index] = FastMath.exp(0.5 * clamped) * epsilon[index]
            z[index] = m[index] + s[index]
        }
        return record(output, extras: [spread]) { tape, dy in
            let upstream = dy.pointer
            if tape.needsGradient(mean) {
                let dm = tape.gradientToAccumulate(mean).pointer
                for index in 0..<count { dm[index] += upstream[index] }
            }
            if tape.needsGradient(logVariance) {
                let dl = tape.gradientToAccumulate(logVariance).pointer
                for index in 0..<count {
                    let inside: Float = l[index] >= low && l[index] <= high ? 0.5 : 0
                    dl[index] += inside * upstream[index] * s[index]
                }
            }
        }
    }
}
