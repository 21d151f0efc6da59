import ForwardProcess
import Posterior
import Testing
import ToyDiffusion

@testable import Sampling

/// `DiffusionSampler.clipDenoised`: clipping x̂₀ and stepping from the ε it implies is the
/// x₀ route of the Posterior module with clipping (eq. 15, clip, eq. 7).
@Suite struct ClipDenoisedTests {
    /// Adjusts ε for points xₜ at step t of the schedule, given the bound.
    typealias Clip = (inout [Float], [Float], Float, NoiseSchedule, Int) -> Void

    /// The largest gap, over t ∈ {2, 10, 500, 1000} and points from −3 to 3 with ε from −4
    /// to 4, between the ancestral map applied to the ε `clip` leaves and
    /// `ReverseStep.viaX0` with clipping to [−1.5, 1.5] (z = 0), relative to max(1, |xₜ|, |ε|).
    static func gap(_ clip: Clip) throws -> Double {
        let schedule = try NoiseSchedule.linear(steps: 1000), bound = 1.5
        let x = stride(from: -3.0, through: 3, by: 0.25).flatMap { x in stride(from: -4.0, through: 4, by: 0.5).map { _ in Float(x) } }
        let epsilon = stride(from: -3.0, through: 3, by: 0.25).flatMap { _ in stride(from: -4.0, through: 4, by: 0.5).map { Float($0) } }
        var worst = 0.0
        for t in [2, 10, 500, 1000] {
            var adjusted = epsilon
            clip(&adjusted, x, Float(bound), schedule, t)
            let map = try ReverseStep.ancestralMap(schedule, t: t, variance: .large)
            for i in x.indices {
                let sampler = map.apply(xt: Double(x[i]), epsilon: Double(adjusted[i]), z: 0)
                let reference = try ReverseStep.viaX0(schedule, t: t, xt: Double(x[i]), epsilon: Double(epsilon[i]), clip: bound, variance: .large, z: 0)
                worst = max(worst, abs(sampler - reference) / max(1, abs(Double(x[i])), abs(Double(epsilon[i]))))
            }
        }
        return worst
    }

    @Test func clipFollowsThePosteriorRoute() throws {
        let gap = try Self.gap { DiffusionSampler.clip(&$0, points: $1, bound: $2, Parameterization($3, t: $4)) }
        #expect(gap < 1e-4, "relative gap \(gap)")
    }

    /// Mutations the comparison rejects: no clipping at all, clipping ε instead of x̂₀, and
    /// converting back with the wrong step's ᾱ.
    @Test func wrongClipsAreRejected() throws {
        let none: Clip = { _, _, _, _, _ in }
        let clipEpsilon: Clip = { epsilon, _, bound, _, _ in
            for i in epsilon.indices { epsilon[i] = min(max(epsilon[i], -bound), bound) }
        }
        let wrongStep: Clip = { epsilon, x, bound, schedule, t in
            DiffusionSampler.clip(&epsilon, points: x, bound: bound, Parameterization(schedule, t: t - 1))
        }
        for (name, mutant) in [("none", none), ("clip ε", clipEpsilon), ("wrong ᾱ", wrongStep)] {
            let gap = try Self.gap(mutant)
            #expect(gap > 1e-2, "mutant \(name): gap only \(gap)")
        }
    }

    /// A denoiser that extrapolates badly, ε = −10·xₜ, makes Algorithm 2 run away to
    /// overflow. With x̂₀ clipped to [−2, 2] every trajectory stays finite, and the last
    /// step lands on the clipped x̂₀ itself (DDPM at t = 1 and DDIM to step 0 both return
    /// x̂₀), so every final coordinate lies in [−2, 2].
    @Test func clippingStopsRunawayTrajectories() throws {
        struct Expanding: EpsilonPredictor {
            var dimensions: Int { 2 }
            func predict(_ points: UnsafePointer<Float>, count: Int, index: Int, into output: UnsafeMutablePointer<Float>) {
                for i in 0..<2 * count { output[i] = -10 * points[i] }
            }
        }
        let schedule = try NoiseSchedule.linear(steps: 1000)
        var sampler = DiffusionSampler(schedule: schedule, denoiser: Expanding())
        let free = try sampler.sample(count: 100, kind: .ddpm(variance: .large), seed: 1).points
        #expect(free.contains { !$0.isFinite || abs($0) > 1e6 }, "the unclipped sampler did not run away: max \(free.map(abs).max()!)")
        sampler.clipDenoised = 2
        for kind in [SamplerKind.ddpm(variance: .large), .ddpm(variance: .small), .ddim(steps: 50, eta: 0), .ddim(steps: 50, eta: 1)] {
            let points = try sampler.sample(count: 100, kind: kind, seed: 1).points
            #expect(points.count == 2 * 100 && points.allSatisfy { $0.isFinite && abs($0) <= 2 * (1 + 1e-5) }, "\(kind): \(points.count) coordinates, max |x| \(points.map(abs).max() ?? .nan)")
        }
    }
}
