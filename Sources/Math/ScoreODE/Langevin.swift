/// Unadjusted Langevin dynamics (Welling & Teh 2011; Song & Ermon 2019, §2.2), the sampler
/// that needs only the score ∇log p: with a step δ,
///
///     x ← x + (δ/2)·∇log p(x) + √δ·z,   z ~ N(0, 1), per coordinate.
///
/// As δ → 0 and the number of steps grows the law of x tends to p; at a finite δ it is
/// biased (`stationaryVariance`).
public enum Langevin {
    /// One step of one coordinate: x + (δ/2)·score + √δ·z, with the score at x.
    @inline(__always)
    public static func step(_ x: Double, score: Double, delta: Double, z: Double) -> Double {
        x + 0.5 * delta * score + delta.squareRoot() * z
    }

    /// The chain's stationary variance for a Gaussian target N(μ, σ²): the step is
    /// x' − μ = a(x − μ) + √δ z with a = 1 − δ/(2σ²), so v = a²v + δ gives
    /// v = δ/(1 − a²) = σ²/(1 − δ/(4σ²)) (for 0 < δ < 4σ²): always above σ², by a relative
    /// δ/(4σ² − δ).
    public static func stationaryVariance(targetVariance s2: Double, delta: Double) -> Double {
        s2 / (1 - delta / (4 * s2))
    }
}
