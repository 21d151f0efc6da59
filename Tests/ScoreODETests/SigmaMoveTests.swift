import ScoreODE
import Testing

@Suite("σ-space moves: one formula, two forms")
struct SigmaMoveTests {
    static let cases: [(x: Double, denoised: Double, sigma: Double, next: Double)] = [
        (1.3, 0.4, 2.0, 1.1), (-0.7, 0.2, 14.6, 9.0), (0.05, -1.5, 0.3, 0.02), (2.5, 2.4, 80, 0.5),
    ]

    @Test("Euler: x + (σ' − σ)·(x − D)/σ equals the solvers' combination (σ'/σ)x + (1 − σ'/σ)D")
    func euler() {
        #expect(Self.cases.count == 4)
        for c in Self.cases {
            let move = SigmaSpace.eulerMove(x: c.x, slope: SigmaSpace.slope(x: c.x, denoised: c.denoised, sigma: c.sigma), by: c.next - c.sigma)
            let step = ODESolver.eulerStep(c.x, denoised: c.denoised, sigma: c.sigma, next: c.next)
            #expect(abs(move - step) <= 1e-13 * max(abs(step), 1), "\(c)")
            // A slope taken at σ' instead of σ (a mistake the verifier names) moves elsewhere.
            let wrong = SigmaSpace.eulerMove(x: c.x, slope: SigmaSpace.slope(x: c.x, denoised: c.denoised, sigma: c.next), by: c.next - c.sigma)
            #expect(abs(wrong - step) > 1e-6, "\(c)")
        }
    }

    @Test("Heun: x + (σ' − σ)(d + d̃)/2 equals HeunSolver's step on a linear denoiser")
    func heun() throws {
        // D(x; σ) = x/(1 + σ²): the optimal denoiser of N(0, 1) data in σ-space.
        let denoiser: Denoiser<Double> = { x, sigma in x / (1 + sigma * sigma) }
        for c in Self.cases {
            let d = SigmaSpace.slope(x: c.x, denoised: try denoiser(c.x, c.sigma), sigma: c.sigma)
            let predictor = SigmaSpace.eulerMove(x: c.x, slope: d, by: c.next - c.sigma)
            let dNext = SigmaSpace.slope(x: predictor, denoised: try denoiser(predictor, c.next), sigma: c.next)
            let move = SigmaSpace.heunMove(x: c.x, slope: d, predictorSlope: dNext, by: c.next - c.sigma)
            let solved = try ODESolver.heun.solve(from: c.x, sigmas: [c.sigma, c.next], denoiser: denoiser)
            #expect(abs(move - solved) <= 1e-13 * max(abs(solved), 1), "\(c)")
            #expect(abs(predictor - solved) > 1e-9, "Heun's correction is not Euler's predictor at \(c)")
        }
    }
}
