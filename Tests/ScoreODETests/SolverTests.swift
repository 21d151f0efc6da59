import ForwardProcess
import Foundation
import Gaussian
import Posterior
import ScoreODE
import Testing

@Suite("ODE solvers on Gaussian data")
struct SolverTests {
    let flow = GaussianDataFlow(data: Gaussian(mean: 0.3, variance: 0.25))

    @Test("the step to σ = 0 returns the denoised estimate, for every solver", arguments: ODESolver.allCases)
    func finalStepDenoises(solver: ODESolver) throws {
        let x = 1.7
        let result = try solver.solve(from: x, sigmas: [0.8, 0], denoiser: flow.denoiser)
        #expect(abs(result - flow.denoised(x, sigma: 0.8)) <= 1e-15 * max(abs(result), 1))
    }

    @Test("a solver steps a vector of samples exactly as it steps each one", arguments: ODESolver.allCases)
    func vectorMatchesScalars(solver: ODESolver) throws {
        let sigmas = try SigmaSpacing.karras.sigmas(count: 12, minimum: 0.002, maximum: 80)
        let starts = [-3.0, 0.1, 2.5]
        let vector = try solver.solve(from: starts, sigmas: sigmas) { x, sigma in x.map { flow.denoised($0, sigma: sigma) } }
        let scalars = try starts.map { try solver.solve(from: $0, sigmas: sigmas, denoiser: flow.denoiser) }
        #expect(vector.count == 3)
        for (v, s) in zip(vector, scalars) { #expect(v == s) }
    }

    /// 2000 steps of h = log(5000)/2000 ≈ 0.0043 in λ: an error of order h ≈ 4e-3 for Euler, h² ≈ 2e-5 for the others.
    @Test("with 2000 steps every solver reaches the exact transport (rel 1e-3 at order 1, 1e-6 above)", arguments: ODESolver.allCases)
    func converges(solver: ODESolver) throws {
        let sigmas = Array(try SigmaSpacing.logUniform.sigmas(count: 2001, minimum: 0.01, maximum: 50).dropLast())
        let x = try solver.solve(from: 20.0, sigmas: sigmas, denoiser: flow.denoiser)
        let exact = flow.transport(20, from: 50, to: 0.01)
        #expect(abs(x - exact) < (solver.order == 1 ? 1e-3 : 1e-6) * abs(exact), "\(solver): \(x) vs \(exact)")
    }

    @Test("bad σ levels are refused with what is accepted")
    func badLevels() {
        #expect(throws: SigmaSpacingError.self) { try ODESolver.euler.solve(from: 1.0, sigmas: [1], denoiser: flow.denoiser) }
        #expect(throws: SigmaSpacingError.self) { try ODESolver.heun.solve(from: 1.0, sigmas: [1, 2, 0], denoiser: flow.denoiser) }
        #expect(throws: SigmaSpacingError.self) { try ODESolver.heun.solve(from: 1.0, sigmas: [1, 0, 0], denoiser: flow.denoiser) }
        #expect(throws: SigmaSpacingError.self) { try SigmaSpacing.karras.sigmas(count: 1, minimum: 0.1, maximum: 1) }
        #expect(throws: SigmaSpacingError.self) { try SigmaSpacing.karras.sigmas(count: 5, minimum: 2, maximum: 1) }
    }
}

@Suite("σ-space of a schedule")
struct SigmaSpaceTests {
    @Test("σₜ² = 1/ᾱₜ − 1 and σₜ increases with t", arguments: NoiseSchedule.names.filter { !$0.hasSuffix("zero-snr") })
    func sigmaIdentity(name: String) throws {
        let schedule = try NoiseSchedule.named(name)
        let sigmas = schedule.sigmas
        #expect(sigmas.count == 1000)
        for t in [1, 2, 500, 999, 1000] {
            let sigma = schedule.sigma(t)
            #expect(abs(sigma * sigma - (1 / schedule.alphaBar(t) - 1)) <= 1e-9 * sigma * sigma)
        }
        #expect(zip(sigmas, sigmas.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("EDM's c_skip and c_out make D = x₀ exact for a perfect F on any σ")
    func preconditioningReconstructs() {
        let p = EDMPreconditioning(sigmaData: 0.5)
        for sigma in [0.002, 0.3, 5, 80] {
            let (x0, n) = (0.37, -1.2)
            let x = x0 + sigma * n
            let f = p.target(x0: x0, x: x, sigma: sigma)
            #expect(abs(p.cSkip(sigma) * x + p.cOut(sigma) * f - x0) <= 1e-12 * max(abs(x), 1))
        }
    }
}
