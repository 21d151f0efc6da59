import Foundation

/// Singlestep DPM-Solver-2 and -3 (Lu et al. 2022, Algorithms 1 and 2) in the scaled
/// coordinates, where αₜ = 1, σ is the noise level and λ = −log σ.
///
/// With h = λ' − λ = log(σ/σ') and the noise prediction ε̂(x, σ) = (x − D(x; σ))/σ, the
/// first-order update is x' = x − σ'(eʰ − 1)ε̂ = x + (σ' − σ)ε̂ (eq. 3.7; Euler, DDIM). The
/// higher orders evaluate ε̂ at intermediate levels sᵢ = σ·e^{−rᵢh} and correct with their
/// differences. eʰ − 1 is formed with expm1, which keeps its digits for small h.
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
            let h = Foundation.log(sigma / next)
            let full = next * Foundation.expm1(h)
            if order == 2 {
                let s1 = sigma * Foundation.exp(-h / 2)
                let u = State.combination([(1, x), (-s1 * Foundation.expm1(h / 2), e0)])
                x = .combination([(1, x), (-full, try epsilon(u, s1))])
            } else {
                let (r1, r2) = (1.0 / 3, 2.0 / 3)
                let s1 = sigma * Foundation.exp(-r1 * h), s2 = sigma * Foundation.exp(-r2 * h)
                let u1 = State.combination([(1, x), (-s1 * Foundation.expm1(r1 * h), e0)])
                let d1 = State.combination([(1, try epsilon(u1, s1)), (-1, e0)])
                let phi2 = Foundation.expm1(r2 * h) / (r2 * h) - 1
                let u2 = State.combination([(1, x), (-s2 * Foundation.expm1(r2 * h), e0), (-s2 * r2 / r1 * phi2, d1)])
                let d2 = State.combination([(1, try epsilon(u2, s2)), (-1, e0)])
                let phi = Foundation.expm1(h) / h - 1
                x = .combination([(1, x), (-full, e0), (-next / r2 * phi, d2)])
            }
        }
        return x
    }
}
