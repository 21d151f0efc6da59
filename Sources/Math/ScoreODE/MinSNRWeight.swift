import ForwardProcess

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

    /// Written once over `ScheduleScalar`: the lessons evaluate it in Double, `lessons verify`
    /// in rounding-bounded numbers.
    public static func weight<R: ScheduleScalar>(snr: R, gamma: R, target: Target) -> R {
        let capped = R.minimum(snr, gamma)
        switch target {
        case .x0: return capped
        case .epsilon: return capped / snr
        case .v: return capped / (snr + R(1))
        }
    }

    /// SNRₜ = ᾱₜ/(1 − ᾱₜ) = (√ᾱₜ/√(1 − ᾱₜ))² (Kingma et al. 2021) from the two scales,
    /// `signal` = √ᾱₜ and `noise` = √(1 − ᾱₜ).
    public static func snr<R: ScheduleScalar>(signal: R, noise: R) -> R {
        let ratio = signal / noise
        return ratio * ratio
    }
}
