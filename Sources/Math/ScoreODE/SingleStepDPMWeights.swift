import ForwardProcess

/// The weights of one singlestep DPM-Solver step (Lu et al. 2022, Algorithms 1 and 2, noise
/// prediction) in the scaled coordinates x = x₀ + σε, where λ = −log σ: the one home of the
/// formula, generic so that the sampler (`DPMSolver`, in Double) and `lessons verify` (in
/// rounding-bounded numbers) read the same weights.
///
/// With h = λ' − λ = log(σ/σ'), stage k at level sₖ = σ·e^{−rₖh} (r₁ = ½ for order 2; ⅓ and ⅔
/// for order 3), ε̂(u, s) = (u − D(u; s))/s and φ(z) = (eᶻ − 1)/z − 1:
/// - u₁ = x − s₁(e^{r₁h} − 1)·ε̂₀,
/// - u₂ = x − s₂(e^{r₂h} − 1)·ε̂₀ − s₂(r₂/r₁)φ(r₂h)·(ε̂(u₁, s₁) − ε̂₀),
/// - order 2: x' = x − σ'(eʰ − 1)·ε̂(u₁, s₁), i.e. x − σ'(eʰ − 1)ε̂₀ − σ'(eʰ − 1)(ε̂(u₁, s₁) − ε̂₀)
///   (eq. 3.7's first-order step plus Algorithm 1's correction, whose weight σ'(eʰ − 1)/(2r₁)
///   is σ'(eʰ − 1) at r₁ = ½),
/// - order 3: x' = x − σ'(eʰ − 1)·ε̂₀ − (σ'/r₂)φ(h)·(ε̂(u₂, s₂) − ε̂₀).
///
/// At σ' = 0 (h = ∞) the step is x − σε̂₀ = D(x; σ): σ'(eʰ − 1) → σ and the corrections'
/// weights → 0; callers take that step themselves.
public struct SingleStepDPMWeights<T: ScheduleScalar> {
    /// r₁ (and r₂): where the stages sit between λ and λ', as fractions of h.
    public let ratios: [Double]
    /// The stage levels s₁ (and s₂).
    public let levels: [T]
    /// sₖ(e^{rₖh} − 1): uₖ = x − stageShifts[k]·ε̂₀ (and, for u₂, − `stageCorrection`·(ε̂(u₁, s₁) − ε̂₀)).
    public let stageShifts: [T]
    /// s₂(r₂/r₁)φ(r₂h), for order 3.
    public let stageCorrection: T?
    /// σ'(eʰ − 1), the first-order step's weight on ε̂₀.
    public let full: T
    /// The weight on the last stage's difference ε̂(u, s) − ε̂₀: σ'(eʰ − 1) at order 2, (σ'/r₂)φ(h) at order 3.
    public let correction: T

    /// The weights from σ to σ' > 0 with h given (its caller forms it as its reference does);
    /// `levels` replaces the stage levels σ·e^{−rₖh} (a verifier forms them as the code under
    /// test does, or as a planted mistake would).
    public init(sigma: T, next: T, h: T, order: Int, levels: [T]? = nil) {
        precondition(order == 2 || order == 3, "singlestep DPM-Solver has orders 2 and 3")
        ratios = order == 2 ? [0.5] : [1.0 / 3, 2.0 / 3]
        let levels = levels ?? ratios.map { r in sigma * T.exp(T(0) - T(r) * h) }
        self.levels = levels
        stageShifts = zip(ratios, levels).map { r, level in level * T.expm1(T(r) * h) }
        full = next * T.expm1(h)
        if order == 2 {
            stageCorrection = nil
            correction = full
        } else {
            let (r1, r2) = (ratios[0], ratios[1])
            stageCorrection = levels[1] * T(r2) / T(r1) * Self.phi(T(r2) * h)
            correction = next / T(r2) * Self.phi(h)
        }
    }

    /// φ(z) = (eᶻ − 1)/z − 1, formed with expm1, which keeps its digits for small z.
    public static func phi(_ z: T) -> T { T.expm1(z) / z - T(1) }
}
