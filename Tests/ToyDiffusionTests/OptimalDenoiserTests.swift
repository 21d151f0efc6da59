import ForwardProcess
import Foundation
import Gaussian
import Posterior
import Stochastic
import Testing
import ToyDiffusion

@Suite("The optimal denoiser of mixture data")
struct OptimalDenoiserTests {
    let data: GaussianMixture2D

    init() throws { data = try GaussianMixture2D.eightGaussians(weights: [1, 3, 1, 3, 2, 5, 1, 1]) }

    /// One component N(m, s²I): each coordinate is the 1-D Gaussian-data case the posterior
    /// module solves (ε* linear in xₜ), so the two implementations must agree.
    @Test("one component: ε* per coordinate is the Posterior module's GaussianDataDenoiser (rel ≤ 1e-12)",
          arguments: NoiseSchedule.names, [1, 10, 500, 1000])
    func singleComponent(schedule name: String, t: Int) throws {
        let schedule = try NoiseSchedule.named(name)
        let (m, s) = (Point2(0.6, -0.3), 0.4)
        let mixture = try GaussianMixture2D([.init(weight: 1, mean: m, standardDeviation: s)])
        let denoiser = try OptimalDenoiser(data: mixture, schedule: schedule, t: t)
        let (first, second) = (GaussianDataDenoiser(data: Gaussian(mean: m.x, variance: s * s)),
                               GaussianDataDenoiser(data: Gaussian(mean: m.y, variance: s * s)))
        for xt in [Point2(0, 0), Point2(1.5, -2), Point2(-0.7, 0.4)] {
            let e = denoiser.epsilon(xt)
            let (ex, ey) = (first.epsilon(schedule, t: t, xt: xt.x), second.epsilon(schedule, t: t, xt: xt.y))
            #expect(abs(e.x - ex) <= 1e-12 * max(abs(ex), 1e-300) + 1e-300, "\(name) t=\(t): \(e.x) vs \(ex)")
            #expect(abs(e.y - ey) <= 1e-12 * max(abs(ey), 1e-300) + 1e-300, "\(name) t=\(t): \(e.y) vs \(ey)")
        }
    }

    @Test("ε* = −√(1−ᾱ) ∇log q(xₜ), the score of the marginal (rel ≤ 1e-12), for every schedule",
          arguments: NoiseSchedule.names, [1, 50, 999])
    func tweedie(schedule name: String, t: Int) throws {
        let schedule = try NoiseSchedule.named(name)
        let denoiser = try OptimalDenoiser(data: data, schedule: schedule, t: t)
        var stream = RandomStream(seed: 51)
        for x0 in data.sample(20, stream: &stream) {
            let xt = Point2(schedule.sqrtAlphaBar(t) * x0.x + schedule.sqrtOneMinusAlphaBar(t) * stream.normal(),
                            schedule.sqrtAlphaBar(t) * x0.y + schedule.sqrtOneMinusAlphaBar(t) * stream.normal())
            let (e, g) = (denoiser.epsilon(xt), denoiser.score(xt))
            let root = schedule.sqrtOneMinusAlphaBar(t)
            let scale = max((e.x * e.x + e.y * e.y).squareRoot(), 1e-12)
            #expect(abs(e.x + root * g.x) <= 1e-12 * scale && abs(e.y + root * g.y) <= 1e-12 * scale, "\(name) t=\(t)")
        }
    }

    /// The regression view: ε* is the best predictor of ε from xₜ, so scaling it by c ≠ 1 raises
    /// the mean squared error by (c − 1)²E‖ε*‖² and nothing lowers it.
    @Test("E‖ε − cε*‖² is smallest at c = 1 (MC with common draws)")
    func bestPredictor() throws {
        let schedule = try NoiseSchedule.linear()
        let denoiser = try OptimalDenoiser(data: data, schedule: schedule, t: 200)
        var stream = RandomStream(seed: 52)
        var errors = [0.9, 1.0, 1.1].map { _ in MomentAccumulator() }
        for x0 in data.sample(200_000, stream: &stream) {
            let eps = Point2(stream.normal(), stream.normal())
            let xt = Point2(schedule.sqrtAlphaBar(200) * x0.x + schedule.sqrtOneMinusAlphaBar(200) * eps.x,
                            schedule.sqrtAlphaBar(200) * x0.y + schedule.sqrtOneMinusAlphaBar(200) * eps.y)
            let e = denoiser.epsilon(xt)
            for (i, c) in [0.9, 1.0, 1.1].enumerated() {
                errors[i].add((eps.x - c * e.x) * (eps.x - c * e.x) + (eps.y - c * e.y) * (eps.y - c * e.y))
            }
        }
        #expect(errors[1].mean < errors[0].mean && errors[1].mean < errors[2].mean)
    }

    @Test("the marginal is Σπₖ N(√ᾱμₖ, (ᾱsₖ² + 1 − ᾱ)I) with 1 − ᾱ at full precision; bad noise levels are rejected")
    func marginalAndValidation() throws {
        let schedule = try NoiseSchedule.linear()
        let denoiser = try OptimalDenoiser(data: data, schedule: schedule, t: 1)
        for (c, d) in zip(denoiser.marginal.components, data.components) {
            #expect(c.weight == d.weight)
            let v = schedule.alphaBar(1) * d.variance + schedule.oneMinusAlphaBar(1)
            #expect(abs(c.variance - v) <= 1e-15 * v)
        }
        #expect(denoiser.oneMinusAlphaBar == schedule.oneMinusAlphaBar(1))
        #expect(throws: ToyDataError.self) { try OptimalDenoiser(data: data, schedule: schedule, t: 0) }
        #expect(throws: ToyDataError.self) { try OptimalDenoiser(data: data, schedule: schedule, t: 1001) }
        #expect(throws: ToyDataError.self) { try OptimalDenoiser(data: data, alphaBar: 1) }
        #expect(throws: ToyDataError.self) { try OptimalDenoiser(data: data, alphaBar: -0.1) }
        let pure = try OptimalDenoiser(data: data, alphaBar: 0)  // x_T = ε: ε* = xₜ, to rounding
        let e = pure.epsilon(Point2(0.3, -2))
        #expect(abs(e.x - 0.3) <= 1e-15 && abs(e.y + 2) <= 1e-15)
    }
}

@Suite("Langevin dynamics")
struct LangevinDynamicsTests {
    /// For N(0, σ²I) the step is x′ = (1 − δ/2σ²)x + √δ z, whose stationary variance per
    /// coordinate is σ²/(1 − δ/(4σ²)): 4/3 for σ² = 1, δ = 1.
    @Test("a Gaussian target with a large step: Var = σ²/(1 − δ/4σ²) (MC, |z| ≤ 5); without the ½ it is not")
    func gaussianStationaryVariance() throws {
        let target = try GaussianMixture2D([.init(weight: 1, mean: Point2(0, 0), standardDeviation: 1)])
        var stream = RandomStream(seed: 61)
        // a = 1 − δ/2 = ½ per step: 60 steps forget the start to 2⁻⁶⁰.
        let finals = LangevinDynamics.run(from: Array(repeating: Point2(3, -3), count: 40_000), steps: 60, delta: 1,
                                          stream: &stream, score: target.score)
        let variance = MomentAccumulator(finals.map(\.x) + finals.map(\.y)).varianceEstimate
        #expect(abs(variance.zScore(expected: 4.0 / 3)) <= 5, "\(variance)")
        #expect(abs(variance.zScore(expected: 1)) > 5)
        var again = RandomStream(seed: 61)
        let repeated = LangevinDynamics.run(from: Array(repeating: Point2(3, -3), count: 10), steps: 60, delta: 1,
                                            stream: &again, score: target.score)
        #expect(repeated == Array(finals.prefix(10)))
    }

    @Test("one step is x + (δ/2)·score + √δ·z")
    func step() {
        let x = LangevinDynamics.step(Point2(1, 2), score: Point2(-4, 6), delta: 0.25, z: Point2(2, -2))
        #expect(x == Point2(1 - 0.5 + 1, 2 + 0.75 - 1))
    }
}
