import ForwardProcess

/// The variance-exploding view of a DDPM schedule (Karras et al. 2022, §2; Song et al. 2021).
///
/// Dividing xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε by √ᾱₜ gives the *scaled sample*
/// x = xₜ/√ᾱₜ = x₀ + σₜ ε with σₜ = √((1 − ᾱₜ)/ᾱₜ) = 1/√SNRₜ: the same process, with the
/// signal kept at scale 1 and only the noise growing. Samplers written in σ (Euler, Heun,
/// DPM-Solver, the k-diffusion and diffusers "sigma" schedulers) step this x; a VP network
/// still wants xₜ = x/√(σ² + 1) (`modelInputScale`).
extension NoiseSchedule {
    /// σₜ = √((1 − ᾱₜ)/ᾱₜ), with σ₀ = 0. Infinite where ᾱₜ = 0 (zero terminal SNR).
    public func sigma(_ t: Int) -> Double { (oneMinusAlphaBar(t) / alphaBar(t)).squareRoot() }

    /// σ of every step, t = 1…T.
    public var sigmas: [Double] { (1...steps).map(sigma) }

    /// The standard deviation of the scaled sample a σ-space sampler starts from at t = T:
    /// x_T = x₀ + σ_T ε with x₀ of unit scale has std √(σ_T² + 1) (diffusers'
    /// `init_noise_sigma` for its Euler-type schedulers).
    public var initNoiseSigma: Double { (sigma(steps) * sigma(steps) + 1).squareRoot() }
}

/// Conversions between the scaled sample and the VP sample, and the score.
public enum SigmaSpace {
    /// The factor that turns the scaled sample back into the VP sample the network was
    /// trained on: xₜ = x/√(σ² + 1), since √ᾱₜ = 1/√(σₜ² + 1) (diffusers' `scale_model_input`).
    public static func modelInputScale(sigma: Double) -> Double { 1 / (sigma * sigma + 1).squareRoot() }

    /// The score of the noised data from the optimal noise prediction (Tweedie's formula):
    /// ∇ log q(xₜ) = −E[ε | xₜ]/√(1 − ᾱₜ). Pass `noise` = √(1 − ᾱₜ). Written over
    /// `ScheduleScalar` (`lessons verify` evaluates it in rounding-bounded numbers).
    public static func score<R: ScheduleScalar>(epsilon: R, noise: R) -> R { (R(0) - epsilon) / noise }

    /// The score in the scaled coordinates: ∇ₓ log p_σ(x) = (D(x; σ) − x)/σ², with D the
    /// optimal denoiser E[x₀ | x] (Tweedie in σ-space; Karras et al. 2022, eq. 3).
    public static func score(denoised: Double, x: Double, sigma: Double) -> Double { (denoised - x) / (sigma * sigma) }

    /// The slope of the probability-flow ODE, dx/dσ = (x − D(x; σ))/σ (Karras et al. 2022,
    /// eq. 4 with σ(t) = t): the noise ε̂ a denoised estimate implies. Over `ScheduleScalar`, so
    /// `lessons verify` bounds a library's Float32 step with the same formula.
    public static func slope<R: ScheduleScalar>(x: R, denoised: R, sigma: R) -> R { (x - denoised) / sigma }

    /// Euler's move along the slope d over Δσ = σ' − σ: x' = x + Δσ·d (Karras et al. 2022,
    /// Algorithm 1 without churn), in the order libraries write it — the verifier's rounding
    /// bound follows the order of operations. The solvers step the algebraically equal
    /// combination x' = (σ'/σ)·x + (1 − σ'/σ)·D (`ODESolver.eulerStep`), exact at σ' = 0.
    public static func eulerMove<R: ScheduleScalar>(x: R, slope: R, by step: R) -> R { x + slope * step }

    /// Heun's corrected move: x' = x + Δσ·(d + d̃)/2, with d̃ the slope at Euler's predictor and
    /// σ' (Karras et al. 2022, Algorithm 1). `HeunSolver` steps the same as one combination of
    /// x, D, the predictor and its D̃.
    public static func heunMove<R: ScheduleScalar>(x: R, slope: R, predictorSlope: R, by step: R) -> R {
        x + (slope + predictorSlope) / R(2) * step
    }
}
