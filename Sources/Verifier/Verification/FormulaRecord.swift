import ScoreODE

/// A recorded evaluation of one formula outside a sampler step, with its inputs
/// (docs/trace-format.md, "Formula records"). Timesteps are diffusers' 0-based τ.
public enum FormulaRecord: Sendable {
    /// xτ = √ᾱτ x₀ + √(1 − ᾱτ) ε (DDPM eq. 4; diffusers' `add_noise`).
    case qSample(timestep: Int, x0: [Double], noise: [Double], value: [Double])
    /// The v target √ᾱτ ε − √(1 − ᾱτ) x₀ (Salimans & Ho 2022; diffusers' `get_velocity`).
    case velocity(timestep: Int, x0: [Double], noise: [Double], value: [Double])
    /// A prediction converted to another target at τ, given xτ.
    case conversion(Conversion)
    /// q(x_s | xτ, x₀): its mean and/or variance (DDPM eq. 6–7, any s < τ).
    case posterior(Posterior)
    /// SNR = ᾱ/(1 − ᾱ) at each timestep.
    case snr(timesteps: [Int], values: [Double])
    /// A loss weight at each timestep.
    case lossWeight(LossWeight)
    /// A classifier-free guidance combination, optionally rescaled.
    case guidance(Guidance)

    public struct Conversion: Sendable {
        public enum Target: String, CaseIterable, Sendable {
            case epsilon, sample
            case vPrediction = "v_prediction"
            case score
        }

        public var timestep: Int
        public var from: Target
        public var to: Target
        public var xt: [Double]
        public var input: [Double]
        public var value: [Double]
    }

    public struct Posterior: Sendable {
        public var timestep: Int
        /// s, the step the posterior moves to (−1: the clean end, ᾱ = 1).
        public var previous: Int
        public var x0: [Double]
        public var xt: [Double]
        public var mean: [Double]?
        public var variance: Double?
    }

    public struct LossWeight: Sendable {
        public enum Weighting: String, CaseIterable, Sendable {
            /// min-SNR-γ (Hang et al. 2023).
            case minSNR = "min_snr"
            /// λₜ of the variational bound's L_{t−1} (DDPM eq. 12).
            case vlb
        }

        public var weighting: Weighting
        public var gamma: Double?
        public var prediction: SchedulerConfig.PredictionType
        public var timesteps: [Int]
        public var values: [Double]
    }

    public struct Guidance: Sendable {
        public var scale: Double
        public var convention: ClassifierFreeGuidance.Convention
        /// φ of guidance rescale (0: none).
        public var rescale: Double
        public var unconditional: [Double]
        public var conditional: [Double]
        public var value: [Double]
        /// Batch items (the first axis of `shape`): the rescale works per item.
        public var batch: Int
    }

    /// The name the trace uses for it.
    public var quantity: String {
        switch self {
        case .qSample: return "q_sample"
        case .velocity: return "velocity"
        case .conversion: return "conversion"
        case .posterior: return "posterior"
        case .snr: return "snr"
        case .lossWeight: return "loss_weight"
        case .guidance: return "cfg"
        }
    }
}
