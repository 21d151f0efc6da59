import ForwardProcess
import Gaussian
import Posterior
import Sampling
import ScoreODE
import Stochastic
import Testing

@testable import ToyDiffusion

/// The σ-space samplers of `DiffusionSampler` run `ScoreODE`'s solvers on Float32 points: their
/// results are those of the Double solvers, to Float32 rounding.
@Suite struct ODESamplingTests {
    /// E[ε | xₜ] of data N(m, s²) per coordinate, through the Posterior module's exact
    /// denoiser: a perfect VP ε-model.
    struct GaussianEpsilon: EpsilonPredictor {
        let schedule: NoiseSchedule
        let denoiser = GaussianDataDenoiser(data: Gaussian(mean: 0.3, variance: 0.25))
        var dimensions: Int { 2 }
        func predict(_ points: UnsafePointer<Float>, count: Int, index: Int, into output: UnsafeMutablePointer<Float>) {
            for i in 0..<(2 * count) { output[i] = Float(denoiser.epsilon(schedule, t: index + 1, xt: Double(points[i]))) }
        }
    }

    static let schedule = try! NoiseSchedule.linear()

    /// The sampler's points against `ODESolver` in Double from the same start, with the
    /// σ-space denoiser of the same data (`GaussianDataFlow`): the Float path goes through
    /// the VP model, `scale_model_input` and x̂₀ = x − σε̂, the reference does not.
    static func gap(_ solver: ODESolver, reference: ODESolver, steps: Int, spacing: TimestepSpacing) throws -> Double {
        let sampler = DiffusionSampler(schedule: schedule, denoiser: GaussianEpsilon(schedule: schedule))
        let kind = SamplerKind.ode(solver: solver, steps: steps, spacing: spacing)
        let points = try sampler.sample(count: 50, kind: kind, seed: 3).points
        // The sampler's start: its stream's normals times init_noise_sigma.
        var stream = RandomStream(seed: 3, stream: 0x5341_4D50)
        var normals = [Double](repeating: 0, count: 100)
        normals.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
        let levels = kind.timesteps(of: schedule).map(schedule.sigma) + [0]
        let flow = GaussianDataFlow(data: Gaussian(mean: 0.3, variance: 0.25))
        var worst = 0.0
        for i in 0..<100 {
            let start = Double(Float(schedule.initNoiseSigma * normals[i]))
            let exact = try reference.solve(from: start, sigmas: levels, denoiser: flow.denoiser)
            worst = max(worst, abs(Double(points[i]) - exact))
        }
        return worst
    }

    /// Float32 carries x up to σ_T ≈ 157 times the data scale: its rounding (6e-8 relative)
    /// leaves about 1e-5 of absolute error in x̂₀ at the first step, which the contracting
    /// steps do not grow; 1e-4 is that with a margin, and far below the 1e-2 and more by
    /// which two different solvers differ at these steps.
    @Test("every σ-space solver on Float32 points is the Double solver", arguments: [ODESolver.euler, .heun, .dpmPlusPlus2M], [TimestepSpacing.trailing, .karras, .logSNR])
    func floatMatchesDouble(solver: ODESolver, spacing: TimestepSpacing) throws {
        let gap = try Self.gap(solver, reference: solver, steps: 8, spacing: spacing)
        #expect(gap < 1e-4, "\(solver) \(spacing): \(gap)")
    }

    @Test("the comparison tells solvers apart (a wrong step would show)")
    func comparisonCanFail() throws {
        #expect(try Self.gap(.heun, reference: .euler, steps: 8, spacing: .logSNR) > 1e-2)
        #expect(try Self.gap(.dpmPlusPlus2M, reference: .euler, steps: 8, spacing: .logSNR) > 1e-2)
    }

    @Test("σ-space Euler is DDIM (η = 0) on the same trailing steps, to Float32 rounding")
    func eulerIsDDIM() throws {
        let sampler = DiffusionSampler(schedule: Self.schedule, denoiser: GaussianEpsilon(schedule: Self.schedule))
        let ddim = try sampler.sample(count: 50, kind: .ddim(steps: 10, eta: 0), seed: 1).points
        let euler = try sampler.sample(count: 50, kind: .ode(solver: .euler, steps: 10, spacing: .trailing), seed: 1).points
        let heun = try sampler.sample(count: 50, kind: .ode(solver: .heun, steps: 10, spacing: .trailing), seed: 1).points
        #expect(zip(ddim, euler).map { abs($0 - $1) }.max()! < 1e-4)
        #expect(zip(ddim, heun).map { abs($0 - $1) }.max()! > 1e-2, "the comparison must be able to fail")
    }

    @Test("network evaluations: K for Euler and DPM-Solver++(2M), 2K − 1 for Heun, T for DDPM")
    func evaluations() {
        #expect(SamplerKind.ode(solver: .heun, steps: 10, spacing: .logSNR).evaluations(of: Self.schedule) == 19)
        #expect(SamplerKind.ode(solver: .dpmPlusPlus2M, steps: 20, spacing: .karras).evaluations(of: Self.schedule) == 20)
        #expect(SamplerKind.eulerAncestral(steps: 7, spacing: .trailing).evaluations(of: Self.schedule) == 7)
        #expect(SamplerKind.ddpm(variance: .large).evaluations(of: Self.schedule) == 1000)
    }
}

@Suite struct TimestepSpacingTests {
    @Test("K distinct steps from T down, within 1…T, for every spacing", arguments: TimestepSpacing.allCases, [1, 2, 3, 10, 20, 50, 999, 1000])
    func distinctSteps(spacing: TimestepSpacing, steps: Int) throws {
        let schedule = try NoiseSchedule.linear()
        let path = spacing.timesteps(steps, of: schedule)
        #expect(path.count == steps)
        #expect(path.first == 1000)
        #expect(zip(path, path.dropFirst()).allSatisfy { $0 > $1 })
        #expect(path.allSatisfy { (1...1000).contains($0) })
    }

    @Test("trailing is t = round(k·T/K), diffusers' trailing; karras and log-snr end at t = 1 and crowd the small steps")
    func shapes() throws {
        let schedule = try NoiseSchedule.linear()
        #expect(TimestepSpacing.trailing.timesteps(4, of: schedule) == [1000, 750, 500, 250])
        // 1000/7 = 142.857…: rounded, as diffusers' trailing (⌊k·T/K⌋ would give 142, 285, …).
        #expect(TimestepSpacing.trailing.timesteps(7, of: schedule) == [1000, 857, 714, 571, 429, 286, 143])
        for k in [1, 3, 15, 30, 999, 1000] {
            let path = TimestepSpacing.trailing.timesteps(k, of: schedule)
            #expect(path == InferenceSpacing.trailing.timesteps(k, trainSteps: 1000, offset: 0).map { $0 + 1 }, "K = \(k)")
            #expect(path.count == k && Set(path).count == k && path.first == 1000, "K = \(k): \(path)")
        }
        for spacing in [TimestepSpacing.karras, .logSNR] {
            let path = spacing.timesteps(20, of: schedule)
            #expect(path.last == 1)
            #expect(path.filter { $0 <= 100 }.count > 2, "\(spacing): \(path)")
        }
    }

    @Test("the nearest step in log σ")
    func nearest() throws {
        let schedule = try NoiseSchedule.linear()
        for t in [1, 2, 37, 500, 1000] { #expect(schedule.nearestTimestep(sigma: schedule.sigma(t)) == t) }
        let between = (schedule.sigma(10) * schedule.sigma(11)).squareRoot()
        #expect([10, 11].contains(schedule.nearestTimestep(sigma: between * 1.0001)))
        #expect(schedule.nearestTimestep(sigma: between * 1.01) == 11)
        #expect(schedule.nearestTimestep(sigma: 1e-9) == 1)
        #expect(schedule.nearestTimestep(sigma: 1e9) == 1000)
    }
}

@Suite struct SlicedWassersteinReferenceTests {
    @Test("a cached reference gives the same bits as the direct distance")
    func sameBits() throws {
        var stream = RandomStream(seed: 9)
        let x = ToyDataset.swissroll.sample(500, stream: &stream), y = ToyDataset.moons.sample(500, stream: &stream)
        let reference = try SlicedWasserstein.Reference(y, projections: 64, seed: 4)
        #expect(try reference.distance(to: x) == SlicedWasserstein.distance(x, y, projections: 64, seed: 4))
        #expect(try reference.distance(to: y) == 0)
        #expect(throws: ToyDataError.self) { try reference.distance(to: Array(x.prefix(10))) }
        // Several references on shared directions: each distance is the direct one.
        let z = ToyDataset.gaussians.sample(500, stream: &stream)
        let shared = try SlicedWasserstein.Reference([y, z], directions: reference.directions)
        #expect(try shared.distances(to: x) == [SlicedWasserstein.distance(x, y, directions: reference.directions),
                                                 SlicedWasserstein.distance(x, z, directions: reference.directions)])
    }
}
