/// Heun's second-order method on the probability-flow ODE (Karras et al. 2022, Algorithm 1,
/// S_churn = 0): an Euler predictor x̃ = x + (σ' − σ)d, then x' = x + (σ' − σ)(d + d̃)/2 with
/// d = (x − D(x; σ))/σ and d̃ = (x̃ − D(x̃; σ'))/σ'. The step to σ' = 0 keeps the Euler
/// predictor, since d̃ would divide by 0 (EDM's "final step handled by Euler"). The step is
/// `SigmaSpace.heunMove` written as one combination of x, D, x̃ and D̃.
enum HeunSolver {
    static func solve<State: SamplerState>(from start: State, sigmas: [Double], denoiser: Denoiser<State>) throws -> State {
        var x = start
        for (sigma, next) in zip(sigmas, sigmas.dropFirst()) {
            let denoised = try denoiser(x, sigma)
            let predicted = ODESolver.eulerStep(x, denoised: denoised, sigma: sigma, next: next)
            guard next > 0 else { x = predicted; continue }
            let corrected = try denoiser(predicted, next)
            // x + h/2·((x − D)/σ + (x̃ − D̃)/σ'), h = σ' − σ, as one combination.
            let h = next - sigma
            x = .combination([
                (1 + h / (2 * sigma), x), (-h / (2 * sigma), denoised),
                (h / (2 * next), predicted), (-h / (2 * next), corrected),
            ])
        }
        return x
    }
}
