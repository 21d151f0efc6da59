import Foundation

/// DPM-Solver++(2M) in the scaled coordinates (α = 1, λ = −log σ, h = log(σ/σ')), with the
/// weights of `MultistepDPMWeights` (Lu et al. 2022b, Algorithm 2): x' = (σ'/σ)x − (e^{−h} − 1)D
/// plus the extrapolation −½(e^{−h} − 1)(D − D₋₁)/r. The first step has no previous estimate
/// and the step to σ' = 0 has h = ∞, where the step is D itself; both stay first order, as in
/// the paper.
enum DPMSolverPlusPlus {
    static func solve<State: SamplerState>(from start: State, sigmas: [Double], denoiser: Denoiser<State>) throws -> State {
        var x = start
        var previous: (denoised: State, h: Double)?
        for (sigma, next) in zip(sigmas, sigmas.dropFirst()) {
            let denoised = try denoiser(x, sigma)
            guard next > 0 else { return denoised }
            let h = Foundation.log(sigma / next)
            let w = MultistepDPMWeights(sampleRatio: next / sigma, alphaNext: 1.0, decayMinusOne: Foundation.expm1(-h),
                                        inverseRatio: previous.map { h / $0.h })
            if let previous, let difference = w.onDifference {
                x = .combination([(w.onSample, x), (w.onDenoised + difference, denoised), (-difference, previous.denoised)])
            } else {
                x = .combination([(w.onSample, x), (w.onDenoised, denoised)])
            }
            previous = (denoised, h)
        }
        return x
    }
}
