import Foundation

/// Deterministic samplers of the probability-flow ODE dx/dσ = (x − D(x; σ))/σ (Karras et
/// al. 2022, eq. 4 with σ(t) = t, in the scaled coordinates x = x₀ + σε of `SigmaSpace`).
///
/// Each takes σ levels σ₀ > σ₁ > … (the last may be 0) and returns x at the last level.
/// A step to σ = 0 is the limit of its formula, which for every solver here is the
/// denoised estimate itself: x = D(x; σ).
public enum ODESolver: String, CaseIterable, Sendable {
    /// x ← x + (σ' − σ)·(x − D)/σ. Identical to DDIM with η = 0 and to DPM-Solver-1
    /// (Lu et al. 2022, eq. 3.7) in these coordinates.
    case euler
    /// Euler, then the trapezoidal correction with the slope at σ' (Karras et al. 2022,
    /// Algorithm 1 without churn); the step to σ = 0 stays Euler.
    case heun
    /// Lu et al. 2022, Algorithm 1 (DPM-Solver-2, r₁ = ½): singlestep, the intermediate
    /// point at the midpoint of λ = −log σ.
    case dpmSolver2 = "dpm-solver-2"
    /// Lu et al. 2022, Algorithm 2 (DPM-Solver-3, r₁ = ⅓, r₂ = ⅔).
    case dpmSolver3 = "dpm-solver-3"
    /// Lu et al. 2022b, DPM-Solver++(2M): multistep, data prediction, the previous step's
    /// denoised estimate as the second-order correction; first-order on the first step and
    /// on the step to σ = 0.
    case dpmPlusPlus2M = "dpm++2m"

    /// The global order of convergence: error = O(h^order) as the steps shrink.
    public var order: Int {
        switch self {
        case .euler: return 1
        case .heun, .dpmSolver2, .dpmPlusPlus2M: return 2
        case .dpmSolver3: return 3
        }
    }

    /// Network evaluations for a step to σ' > 0.
    public var evaluationsPerStep: Int {
        switch self {
        case .euler, .dpmPlusPlus2M: return 1
        case .heun, .dpmSolver2: return 2
        case .dpmSolver3: return 3
        }
    }

    /// Integrates from x at σ₀ = sigmas[0] through every level of `sigmas`.
    public func solve<State: SamplerState>(
        from x: State, sigmas: [Double], denoiser: Denoiser<State>
    ) throws -> State {
        try ODESolver.validate(sigmas)
        switch self {
        case .euler:
            return try zip(sigmas, sigmas.dropFirst()).reduce(x) { x, levels in
                try ODESolver.eulerStep(x, denoised: denoiser(x, levels.0), sigma: levels.0, next: levels.1)
            }
        case .heun: return try HeunSolver.solve(from: x, sigmas: sigmas, denoiser: denoiser)
        case .dpmSolver2: return try DPMSolver.solve(from: x, sigmas: sigmas, denoiser: denoiser, order: 2)
        case .dpmSolver3: return try DPMSolver.solve(from: x, sigmas: sigmas, denoiser: denoiser, order: 3)
        case .dpmPlusPlus2M: return try DPMSolverPlusPlus.solve(from: x, sigmas: sigmas, denoiser: denoiser)
        }
    }

    /// One Euler step of the ODE from σ to σ' with the slope (x − D)/σ: `SigmaSpace.eulerMove`
    /// written as the combination x' = (σ'/σ)·x + (1 − σ'/σ)·D (so that σ' = 0 gives D exactly).
    public static func eulerStep<State: SamplerState>(_ x: State, denoised: State, sigma: Double, next: Double) -> State {
        let ratio = next / sigma
        return .combination([(ratio, x), (1 - ratio, denoised)])
    }

    /// Levels must be finite, decreasing, positive but for a final 0.
    static func validate(_ sigmas: [Double]) throws {
        guard sigmas.count >= 2 else { throw SigmaSpacingError("a sampler needs at least two σ levels (got \(sigmas.count))") }
        for (i, (a, b)) in zip(sigmas, sigmas.dropFirst()).enumerated() where !(a.isFinite && a > 0 && b < a && b >= 0) {
            throw SigmaSpacingError("σ levels must be finite and decrease to ≥ 0, positive but for the last; σ[\(i)] = \(a), σ[\(i + 1)] = \(b)")
        }
        guard sigmas.dropLast().allSatisfy({ $0 > 0 }) else { throw SigmaSpacingError("only the last σ level may be 0") }
    }
}
