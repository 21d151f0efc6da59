import Foundation

/// Singlestep DPM-Solver-2 and -3 (Lu et al. 2022, Algorithms 1 and 2) in the scaled
/// coordinates, where αₜ = 1, σ is the noise level and λ = −log σ: each step evaluates the
/// noise prediction ε̂(x, σ) = (x − D(x; σ))/σ at x and at the intermediate points whose
/// weights `SingleStepDPMWeights` gives (with h = log(σ/σ')), and combines the differences.
enum DPMSolver {
    static func solve<State: SamplerState>(
        from start: State, sigmas: [Double], denoiser: Denoiser<State>, order: Int
    ) throws -> State {
        var x = start
        for (sigma, next) in zip(sigmas, sigmas.dropFirst()) {
            // ε̂ at (u, s) as a combination: ε̂ = (u − D(u; s))/s.
            func epsilon(_ u: State, _ s: Double) throws -> State { .combination([(1 / s, u), (-1 / s, try denoiser(u, s))]) }
            let e0 = try epsilon(x, sigma)
            guard next > 0 else {
                // h → ∞: σ'(eʰ − 1) → σ, and the corrections' weights σ'((eʰ − 1)/h − 1)/r → 0.
                x = .combination([(1, x), (-sigma, e0)])
                continue
            }
            let w = SingleStepDPMWeights(sigma: sigma, next: next, h: Foundation.log(sigma / next), order: order)
            let u1 = State.combination([(1, x), (-w.stageShifts[0], e0)])
            if order == 2 {
                x = .combination([(1, x), (-w.full, try epsilon(u1, w.levels[0]))])
            } else {
                let d1 = State.combination([(1, try epsilon(u1, w.levels[0])), (-1, e0)])
                let u2 = State.combination([(1, x), (-w.stageShifts[1], e0), (-(w.stageCorrection ?? 0), d1)])
                let d2 = State.combination([(1, try epsilon(u2, w.levels[1])), (-1, e0)])
                x = .combination([(1, x), (-w.full, e0), (-w.correction, d2)])
            }
        }
        return x
    }
}
