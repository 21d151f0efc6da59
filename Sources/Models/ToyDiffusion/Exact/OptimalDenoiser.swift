import ForwardProcess

/// The exact optimal ε-predictor for Gaussian-mixture data at one noise level.
///
/// Data x₀ ~ Σₖ πₖ N(μₖ, sₖ² I) are noised by the DDPM forward marginal (eq. 4)
/// xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε, ε ~ N(0, I). Then:
///
/// - the marginal is again a mixture, q(xₜ) = Σₖ πₖ N(√ᾱ μₖ, vₖ I) with vₖ = ᾱ sₖ² + 1 − ᾱ
///   (`marginal`);
/// - given the component k, (ε, xₜ) are jointly Gaussian with Cov(ε, xₜ | k) = √(1 − ᾱ) I and
///   Var(xₜ | k) = vₖ I, so E[ε | xₜ, k] = √(1 − ᾱ)(xₜ − √ᾱ μₖ)/vₖ;
/// - averaging over the posterior of the component, the responsibilities
///   rₖ(xₜ) = πₖ N(xₜ; √ᾱ μₖ, vₖ I)/q(xₜ), gives the minimizer of the DDPM loss (eq. 14)
///   over all functions of xₜ:  ε*(xₜ) = E[ε | xₜ] = Σₖ rₖ(xₜ) √(1 − ᾱ)(xₜ − √ᾱ μₖ)/vₖ
///   (`epsilon`).
///
/// Since ∇ log q(xₜ) = Σₖ rₖ(xₜ)(√ᾱ μₖ − xₜ)/vₖ (`score`), the two agree as
/// ε*(xₜ) = −√(1 − ᾱ) ∇ log q(xₜ): Tweedie's formula, the link between noise prediction and
/// score matching (Ho et al. 2020 §3.2; Song et al. 2021, "Score-Based Generative Modeling
/// through Stochastic Differential Equations", whose VP SDE is DDPM in continuous time). The
/// check `toy.optimal-denoiser` proves the identity against finite differences of log q,
/// not from these formulas.
public struct OptimalDenoiser: Sendable, Equatable {
    public let data: GaussianMixture2D
    public let alphaBar: Double
    public let oneMinusAlphaBar: Double
    /// q(xₜ), the noised data.
    public let marginal: GaussianMixture2D

    /// The denoiser at a raw noise level ᾱ ∈ [0, 1) (ᾱ = 1 is no noise, where ε is not
    /// identifiable from xₜ). `oneMinusAlphaBar` defaults to 1 − ᾱ by subtraction.
    public init(data: GaussianMixture2D, alphaBar: Double, oneMinusAlphaBar: Double? = nil) throws {
        let noise = oneMinusAlphaBar ?? 1 - alphaBar
        guard alphaBar >= 0, alphaBar < 1, noise > 0, noise <= 1 else {
            throw ToyDataError("the optimal denoiser needs 0 ≤ ᾱ < 1 and 0 < 1 − ᾱ ≤ 1 (got ᾱ = \(alphaBar), 1 − ᾱ = \(noise))")
        }
        self.data = data
        self.alphaBar = alphaBar
        self.oneMinusAlphaBar = noise
        marginal = data.noised(alphaBar: alphaBar, oneMinusAlphaBar: noise)
    }

    /// The denoiser at step t = 1…T of `schedule`, with 1 − ᾱₜ at full precision.
    public init(data: GaussianMixture2D, schedule: NoiseSchedule, t: Int) throws {
        guard (1...schedule.steps).contains(t) else {
            throw ToyDataError("t must lie in 1…\(schedule.steps) for \(schedule.name) (got \(t))")
        }
        try self.init(data: data, alphaBar: schedule.alphaBar(t), oneMinusAlphaBar: schedule.oneMinusAlphaBar(t))
    }

    /// ε*(xₜ) = E[ε | xₜ] = Σₖ rₖ(xₜ) √(1 − ᾱ)(xₜ − √ᾱ μₖ)/vₖ: the posterior-mean noise, per
    /// component the regression of ε on xₜ, weighted by the responsibilities.
    public func epsilon(_ xt: Point2) -> Point2 {
        let root = oneMinusAlphaBar.squareRoot()
        // The marginal's components carry √ᾱ μₖ as their means and vₖ as their variances.
        return marginal.posteriorAverage(xt) { c in
            Point2(root * c.precision * (xt.x - c.mean.x), root * c.precision * (xt.y - c.mean.y))
        }.average
    }

    /// The score of the noised data, ∇ log q(xₜ) = Σₖ rₖ(xₜ)(√ᾱ μₖ − xₜ)/vₖ.
    public func score(_ xt: Point2) -> Point2 { marginal.score(xt) }
}
