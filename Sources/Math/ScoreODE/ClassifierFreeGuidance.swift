import ForwardProcess

/// Classifier-free guidance (Ho & Salimans 2022): one network predicts the noise with the
/// condition c and without it (∅), and sampling uses a combination that pushes toward c.
/// In the score view, ε̂ ∝ −score, and ε_∅ + w(ε_c − ε_∅) is the score of p(x)·p(c | x)^w
/// (the implicit classifier p(c | x) ∝ p(x | c)/p(x)).
///
/// Written once over `ScheduleScalar`: `lessons verify` and `lessons calc cfg` evaluate it.
/// (The latent model's `GuidedDenoiser` applies the diffusers form to Float tensors in its
/// batch loop.)
public enum ClassifierFreeGuidance {
    /// The two ways the guidance scale is written.
    public enum Convention: String, CaseIterable, Sendable {
        /// ε_∅ + w(ε_c − ε_∅): w = 1 is the conditional model, w = 0 the unconditional one
        /// (diffusers' `guidance_scale`, Stable Diffusion's 7.5).
        case diffusers
        /// (1 + w)ε_c − w ε_∅ (Ho & Salimans 2022, eq. 6): w = 0 is the conditional model. The
        /// same guidance as `diffusers` with its scale minus one.
        case hoSalimans = "ho_salimans"
    }

    public static func combine<R: ScheduleScalar>(unconditional: R, conditional: R, scale: R, convention: Convention) -> R {
        switch convention {
        case .diffusers: return unconditional + scale * (conditional - unconditional)
        case .hoSalimans: return (R(1) + scale) * conditional - scale * unconditional
        }
    }

    /// Guidance rescale (Lin et al. 2024, §3.4, eq. 15–16) of one batch item: a large scale
    /// inflates the guided prediction's spread, so it is brought back to the conditional
    /// prediction's, r = g·std(ε_c)/std(g), and mixed, φr + (1 − φ)g. The standard deviations
    /// are over the item's elements (any normalization n or n − 1 cancels in the ratio).
    public static func rescale<R: ScheduleScalar>(guided: [R], conditional: [R], phi: R) -> [R] {
        let ratio = standardDeviation(conditional) / standardDeviation(guided)
        return guided.map { g in phi * (g * ratio) + (R(1) - phi) * g }
    }

    /// The population standard deviation √(Σ(xᵢ − x̄)²/n).
    public static func standardDeviation<R: ScheduleScalar>(_ values: [R]) -> R {
        let n = R(Double(values.count))
        let mean = values.reduce(R(0), +) / n
        let squares = values.reduce(R(0)) { sum, x in
            let d = x - mean
            return sum + d * d
        }
        return (squares / n).squareRoot()
    }
}
