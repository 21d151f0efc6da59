import ForwardProcess
import Gaussian
import Posterior
import Stochastic
import Testing

@Suite("The reverse chain of Gaussian data")
struct ReverseChainTests {
    @Test("With no noise the chain is the affine map x₀ = A·x_T + B: its exact law is that map's image, and its samples are exactly it")
    func noNoise() throws {
        let schedule = try NoiseSchedule.make(.linear, steps: 50)
        let denoiser = GaussianDataDenoiser(data: Gaussian(mean: 0.5, variance: 0.09))
        let chain = ReverseChain(schedule: schedule, denoiser: denoiser, noise: .none)
        #expect(try (1...50).allSatisfy { try chain.sigma($0) == 0 })
        // The map through every step, composed by hand: A = ∏ aₜ, B accumulated.
        var (a, b) = (1.0, 0.0)
        for t in stride(from: 50, through: 1, by: -1) {
            let step = denoiser.reverseMean(schedule, t: t)
            (a, b) = (step.a * a, step.a * b + step.b)
        }
        let law = try chain.exactLaw(from: Gaussian(mean: 0.2, variance: 2))
        #expect(abs(law.mean - (a * 0.2 + b)) <= 1e-12 && abs(law.variance - a * a * 2) <= 1e-12 * max(a * a * 2, 1e-300))
        // A noisy chain's law differs (σₜ > 0 adds variance): the test can tell them apart.
        let noisy = try ReverseChain(schedule: schedule, denoiser: denoiser, noise: .fixed(.large)).exactLaw(from: Gaussian(mean: 0.2, variance: 2))
        #expect(noisy.variance - law.variance > 0.05, "\(noisy.variance) vs \(law.variance)")
        var stream = RandomStream(seed: 1, stream: 0)
        let samples = try chain.sample(3, from: Gaussian(mean: 0.2, variance: 2), stream: &stream)
        var replay = RandomStream(seed: 1, stream: 0)
        let starts = (0..<3).map { _ in Gaussian(mean: 0.2, variance: 2).sample(&replay) }
        for (x, start) in zip(samples, starts) { #expect(abs(x - (a * start + b)) <= 1e-9 * max(abs(x), 1)) }
        #expect(samples.count == 3)
    }
}
