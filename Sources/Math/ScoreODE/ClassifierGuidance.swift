/// Classifier guidance (Dhariwal & Nichol 2021, Algorithm 2; Song et al. 2021, eq. 14): sample
/// p(x) p(y|x)^s by adding the classifier's gradient to the score,
///
///     ∇log p_t(x) + s·∇log p_t(y|x),   with ∇log p_t(y|x) = ∇log p_t(x|y) − ∇log p_t(x) (Bayes),
///
/// which in ε-prediction, where ∇log p_t = −ε/√(1−ᾱₜ), is ε̃ = ε − s·√(1−ᾱₜ)·∇log p_t(y|x).
/// At s = 1 the guided score is the class-conditional score exactly; at s ≠ 1 it is not the
/// score of any noised p(x)p(y|x)^s, only a heuristic.
public enum ClassifierGuidance {
    /// ∇log p_t(y|x) = ∇log p_t(x|y) − ∇log p_t(x).
    public static func classifierGradient(conditionalScore: Double, unconditionalScore: Double) -> Double {
        conditionalScore - unconditionalScore
    }

    /// The guided score ∇log p_t(x) + s·∇log p_t(y|x).
    public static func guidedScore(_ score: Double, classifierGradient: Double, scale: Double) -> Double {
        score + scale * classifierGradient
    }

    /// The guided ε-prediction ε − s·√(1−ᾱₜ)·∇log p_t(y|x); `noise` is √(1−ᾱₜ).
    public static func guidedEpsilon(_ epsilon: Double, classifierGradient: Double, scale: Double, noise: Double) -> Double {
        epsilon - scale * noise * classifierGradient
    }
}
