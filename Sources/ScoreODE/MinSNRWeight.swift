/// Min-SNR-γ loss weighting (Hang et al. 2023, §3.3 and Appendix B): weigh the x₀-error of
/// step t by min(SNRₜ, γ), which caps the weight of the nearly clean steps.
///
/// The same objective written for the other targets follows from the errors' identities
/// (the notes lesson proves them): (ε̂ − ε)² = SNR·(x̂₀ − x₀)² and
/// (v̂ − v)² = (SNR + 1)·(x̂₀ − x₀)². So the weight is
///
/// - min(SNR, γ) on the x₀-MSE,
/// - min(SNR, γ)/SNR = min(1, γ/SNR) on the ε-MSE,
/// - min(SNR, γ)/(SNR + 1) on the v-MSE (diffusers issue 5654: its training scripts used
///   min(SNR + 1, γ)/(SNR + 1), which caps a different objective).
public enum MinSNRWeight {
    public enum Target: String, CaseIterable, Sendable { case epsilon, x0, v }

    public static func weight(snr: Double, gamma: Double, target: Target) -> Double {
        let capped = min(snr, gamma)
        switch target {
        case .x0: return capped
        case .epsilon: return capped / snr
        case .v: return capped / (snr + 1)
        }
    }
}
