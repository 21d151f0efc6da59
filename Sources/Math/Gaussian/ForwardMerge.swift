/// Two forward steps merged into one (the step behind DDPM eq. 4).
///
/// With xₜ = √αₜ xₜ₋₁ + √(1−αₜ) ε₁ and xₜ₋₁ = √αₜ₋₁ xₜ₋₂ + √(1−αₜ₋₁) ε₂,
/// xₜ = √(αₜαₜ₋₁) xₜ₋₂ + √(αₜ(1−αₜ₋₁)) ε₂ + √(1−αₜ) ε₁, and the two independent noise
/// terms are one Gaussian: N(0, αₜ(1−αₜ₋₁)) + N(0, 1−αₜ) = N(0, 1 − αₜαₜ₋₁).
public enum ForwardMerge {
    /// The law of √(αₜ(1−αₜ₋₁)) ε₂ + √(1−αₜ) ε₁, built with the sum rule.
    public static func noise(alpha: Double, alphaPrevious: Double) -> Gaussian {
        Gaussian.standard.affine(scale: (alpha * (1 - alphaPrevious)).squareRoot())
            + Gaussian.standard.affine(scale: (1 - alpha).squareRoot())
    }

    /// The simplified variance of the merged noise: 1 − αₜαₜ₋₁.
    public static func mergedVariance(alpha: Double, alphaPrevious: Double) -> Double {
        1 - alpha * alphaPrevious
    }
}
