import Foundation
import Gaussian

/// The two linear diffusions of Song et al. (2021), "Score-based generative modeling through
/// stochastic differential equations", on t ∈ [0, 1]:
///
///     dx = f(t)·x dt + g(t) dW                                             (eq. 5)
///
/// - **VP** (variance preserving, the limit of DDPM, eq. 11): f = −½β(t), g = √β(t), with the
///   linear β(t) = β̄_min + t(β̄_max − β̄_min). DDPM's βᵢ (i = 1…T) are β(tᵢ)/T, so a DDPM
///   schedule with β₁, β_T gives β̄_min = Tβ₁ and β̄_max = Tβ_T (`ddpm`).
/// - **VE** (variance exploding, the limit of SMLD's noise levels, eq. 9): f = 0,
///   g = √(dσ²/dt) = σ(t)√(2 ln(σ_max/σ_min)), with σ(t) = σ_min(σ_max/σ_min)ᵗ.
///
/// Started from x₀, both have a Gaussian transition x(t) | x₀ ~ N(s(t)x₀, v(t)), with
/// s(t) = exp ∫₀ᵗ f and v(t) = s(t)² ∫₀ᵗ g²/s²:
/// VP: s = exp(−½B(t)), v = 1 − exp(−B(t)), B(t) = ∫₀ᵗ β = β̄_min t + ½(β̄_max − β̄_min)t²;
/// VE: s = 1, v = σ(t)² − σ_min².
public enum DiffusionSDE: Sendable, Equatable {
    case variancePreserving(betaMin: Double, betaMax: Double)
    case varianceExploding(sigmaMin: Double, sigmaMax: Double)

    /// The VP-SDE whose Euler–Maruyama discretization with T steps is DDPM's linear schedule
    /// β₁…β_T: β̄ = T·β.
    public static func ddpm(betaStart: Double, betaEnd: Double, steps: Int) -> DiffusionSDE {
        .variancePreserving(betaMin: Double(steps) * betaStart, betaMax: Double(steps) * betaEnd)
    }

    /// β(t) of the VP-SDE (0 for VE).
    public func beta(_ t: Double) -> Double {
        switch self {
        case .variancePreserving(let low, let high): return low + t * (high - low)
        case .varianceExploding: return 0
        }
    }

    /// B(t) = ∫₀ᵗ β(s) ds = β̄_min t + ½(β̄_max − β̄_min)t² (VP; 0 for VE).
    public func integratedBeta(_ t: Double) -> Double {
        switch self {
        case .variancePreserving(let low, let high): return low * t + 0.5 * (high - low) * t * t
        case .varianceExploding: return 0
        }
    }

    /// σ(t) = σ_min(σ_max/σ_min)ᵗ of the VE-SDE; for VP the σ-space level √(1/ᾱ(t) − 1).
    public func sigma(_ t: Double) -> Double {
        switch self {
        case .variancePreserving: return Foundation.expm1(integratedBeta(t)).squareRoot()
        case .varianceExploding(let low, let high): return low * Foundation.pow(high / low, t)
        }
    }

    /// The drift's coefficient f(t): the drift is f(t)·x.
    public func driftCoefficient(_ t: Double) -> Double {
        switch self {
        case .variancePreserving: return -0.5 * beta(t)
        case .varianceExploding: return 0
        }
    }

    /// The diffusion coefficient g(t).
    public func diffusion(_ t: Double) -> Double {
        switch self {
        case .variancePreserving: return beta(t).squareRoot()
        case .varianceExploding(let low, let high): return sigma(t) * (2 * Foundation.log(high / low)).squareRoot()
        }
    }

    /// s(t) = exp ∫₀ᵗ f: the factor on x₀ in the transition (√ᾱ(t) for VP, 1 for VE).
    public func signalScale(_ t: Double) -> Double {
        switch self {
        case .variancePreserving: return Foundation.exp(-0.5 * integratedBeta(t))
        case .varianceExploding: return 1
        }
    }

    /// v(t) = Var[x(t) | x₀]: 1 − ᾱ(t) for VP, σ(t)² − σ_min² for VE.
    public func noiseVariance(_ t: Double) -> Double {
        switch self {
        case .variancePreserving: return -Foundation.expm1(-integratedBeta(t))
        case .varianceExploding(let low, _):
            let s = sigma(t)
            return (s - low) * (s + low)
        }
    }

    /// ᾱ(t) = s(t)² = exp(−B(t)) for VP (1 for VE).
    public func alphaBar(_ t: Double) -> Double { signalScale(t) * signalScale(t) }

    /// p_t for data with law `data`: the mixture pushed through x(t) = s(t)x₀ + √v(t)·ε.
    public func marginal(of data: GaussianMixture, at t: Double) -> GaussianMixture {
        data.scaled(by: signalScale(t), addingVariance: noiseVariance(t))
    }

    /// (f(t), g(t)): a step's coefficients, computed once for all the points it moves.
    public func coefficients(_ t: Double) -> (drift: Double, diffusion: Double) { (driftCoefficient(t), diffusion(t)) }

    /// One Euler–Maruyama step forward in time: x + f(t)x·Δt + g(t)√Δt·z, z ~ N(0, 1).
    public func forwardStep(_ x: Double, t: Double, dt: Double, z: Double) -> Double {
        Self.forwardStep(x, coefficients(t), dt: dt, z: z)
    }

    static func forwardStep(_ x: Double, _ c: (drift: Double, diffusion: Double), dt: Double, z: Double) -> Double {
        x + c.drift * x * dt + c.diffusion * dt.squareRoot() * z
    }

    /// The reverse-time SDE (Anderson 1982; Song et al. eq. 6), dx = [f x − g² ∇log p_t(x)] dt + g dW̄,
    /// stepped by Euler–Maruyama from t to t − Δt (Δt > 0): x − [f x − g²·score]Δt + g√Δt·z.
    public func reverseStep(_ x: Double, t: Double, dt: Double, score: Double, z: Double) -> Double {
        Self.reverseStep(x, coefficients(t), dt: dt, score: score, z: z)
    }

    static func reverseStep(_ x: Double, _ c: (drift: Double, diffusion: Double), dt: Double, score: Double, z: Double) -> Double {
        x - (c.drift * x - c.diffusion * c.diffusion * score) * dt + c.diffusion * dt.squareRoot() * z
    }

    /// The probability-flow ODE's velocity (Song et al. eq. 13), dx/dt = f x − ½g² ∇log p_t(x):
    /// the deterministic flow whose marginals are the SDE's, for the same p_t.
    public func flowVelocity(_ x: Double, t: Double, score: Double) -> Double {
        Self.flowVelocity(x, coefficients(t), score: score)
    }

    static func flowVelocity(_ x: Double, _ c: (drift: Double, diffusion: Double), score: Double) -> Double {
        c.drift * x - 0.5 * c.diffusion * c.diffusion * score
    }
}
