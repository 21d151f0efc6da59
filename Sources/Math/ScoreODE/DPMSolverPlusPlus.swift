import Foundation

/// DPM-Solver++(2M) (Lu et al. 2022b, Algorithm 2) in the scaled coordinates (α = 1,
/// λ = −log σ): with h = log(σ/σ') the first-order data-prediction step is
/// x' = (σ'/σ)x − (e^{−h} − 1)D (the same Euler/DDIM step), and the multistep form replaces D
/// by D + (D − D_prev)/(2r), r = h_prev/h, a linear extrapolation in λ from the previous
/// step's estimate. The first step has no previous estimate and the step to σ' = 0 has
/// h = ∞; both stay first order, as in the paper.
enum DPMSolverPlusPlus {
    static func solve<State: SamplerState>(from start: State, sigmas: [Double], denoiser: Denoiser<State>) throws -> State {
        var x = start
        var previous: (denoised: State, h: Double)?
        for (sigma, next) in zip(sigmas, sigmas.dropFirst()) {
            let denoised = try denoiser(x, sigma)
            guard next > 0 else { return denoised }
            let h = Foundation.log(sigma / next)
            let weight = -Foundation.expm1(-h)  // 1 − σ'/σ
            if let previous {
                let c = 1 / (2 * previous.h / h)
                x = .combination([(next / sigma, x), (weight * (1 + c), denoised), (-weight * c, previous.denoised)])
            } else {
                x = .combination([(next / sigma, x), (weight, denoised)])
            }
            previous = (denoised, h)
        }
        return x
    }
}
