import Foundation
import Stochastic
import Testing
@testable import ToyDiffusion

@Suite("The 2-D Gaussian mixture and the eight Gaussians")
struct GaussianMixtureTests {
    let lopsided: GaussianMixture2D

    init() throws { lopsided = try GaussianMixture2D.eightGaussians(weights: (1...8).map(Double.init)) }

    /// p(x) summed term by term, exp(−‖x − μₖ‖²/(2sₖ²))/(2πsₖ²), without logs.
    func directDensity(_ mixture: GaussianMixture2D, _ x: Point2) -> Double {
        mixture.components.reduce(0) { sum, c in
            let d2 = (x.x - c.mean.x) * (x.x - c.mean.x) + (x.y - c.mean.y) * (x.y - c.mean.y)
            return sum + c.weight * Foundation.exp(-d2 / (2 * c.variance)) / (2 * Double.pi * c.variance)
        }
    }

    @Test("log p agrees with the term-by-term density (rel ≤ 1e-13) at points near and between the modes")
    func logDensityMatchesDirectSum() {
        for mixture in [GaussianMixture2D.eightGaussians, lopsided] {
            for x in [Point2(1, 0), Point2(0.7, 0.7), Point2(0.9, 0.3), Point2(0, 0), Point2(-0.5, 1.2)] {
                let direct = directDensity(mixture, x)
                #expect(abs(Foundation.exp(mixture.logDensity(x)) - direct) <= 1e-13 * direct, "\(x)")
            }
        }
    }

    @Test("far from every mode: log p, the score and the responsibilities stay finite (log-sum-exp)")
    func farAway() {
        let x = Point2(40, -30)
        let mixture = GaussianMixture2D.eightGaussians
        #expect(directDensity(mixture, x) == 0)  // underflows without logs
        #expect(mixture.logDensity(x).isFinite)
        let score = mixture.score(x)
        #expect(score.x.isFinite && score.y.isFinite)
        // Far away the nearest mode dominates: ∇log p ≈ (μ − x)/s² with μ the mode at angle −45°.
        let nearest = mixture.components[7]
        #expect(abs(score.x - (nearest.mean.x - x.x) / nearest.variance) <= 1e-9 * abs(score.x))
        let r = mixture.responsibilities(x)
        #expect(abs(r.reduce(0, +) - 1) <= 1e-15)
        #expect(r[7] > 0.999_999)
    }

    @Test("p integrates to 1: E_g[p(x)/g(x)] = 1 under g = N(0, 1.2² I) (MC, |z| ≤ 5)")
    func normalization() {
        var stream = RandomStream(seed: 11)
        let s2 = 1.44
        let estimate = MonteCarlo.mean(samples: 400_000, stream: &stream) { s in
            let x = Point2(1.2 * s.normal(), 1.2 * s.normal())
            let logG = -Foundation.log(2 * Double.pi * s2) - (x.x * x.x + x.y * x.y) / (2 * s2)
            return Foundation.exp(lopsided.logDensity(x) - logG)
        }
        #expect(abs(estimate.zScore(expected: 1)) <= 5, "\(estimate)")
    }

    @Test("the score is ∇log p: five-point finite differences agree to rel 1e-9")
    func scoreIsGradient() {
        var stream = RandomStream(seed: 12)
        for x in lopsided.sample(50, stream: &stream) {
            let h = 1e-4
            func derivative(_ along: (Double) -> Point2) -> Double {
                (lopsided.logDensity(along(-2 * h)) - 8 * lopsided.logDensity(along(-h))
                    + 8 * lopsided.logDensity(along(h)) - lopsided.logDensity(along(2 * h))) / (12 * h)
            }
            let g = Point2(derivative { Point2(x.x + $0, x.y) }, derivative { Point2(x.x, x.y + $0) })
            let score = lopsided.score(x)
            let scale = max((g.x * g.x + g.y * g.y).squareRoot(), 1 / GaussianMixture2D.eightGaussiansSpread)
            #expect(abs(score.x - g.x) <= 1e-9 * scale && abs(score.y - g.y) <= 1e-9 * scale, "\(x)")
        }
    }

    @Test("draws: E[x] = Σπₖμₖ, E‖x‖² = Σπₖ(‖μₖ‖² + 2sₖ²), and each component's share is πₖ (MC, |z| ≤ 5)")
    func sampleMoments() {
        var stream = RandomStream(seed: 13)
        let points = lopsided.sample(400_000, stream: &stream)
        let mean = lopsided.mean
        #expect(abs(MomentAccumulator(points.map(\.x)).meanEstimate.zScore(expected: mean.x)) <= 5)
        #expect(abs(MomentAccumulator(points.map(\.y)).meanEstimate.zScore(expected: mean.y)) <= 5)
        let norm = MomentAccumulator(points.map { $0.x * $0.x + $0.y * $0.y }).meanEstimate
        #expect(abs(norm.zScore(expected: lopsided.meanSquaredNorm)) <= 5, "\(norm)")
        #expect(abs(lopsided.meanSquaredNorm - (1 + 2 * 0.01)) <= 1e-15)
        // Modes are eight standard deviations apart: the nearest mean identifies the component.
        for (k, c) in lopsided.components.enumerated() {
            let share = MomentAccumulator(points.map { p in
                let nearest = lopsided.components.indices.min { a, b in
                    let (ma, mb) = (lopsided.components[a].mean, lopsided.components[b].mean)
                    return (p.x - ma.x) * (p.x - ma.x) + (p.y - ma.y) * (p.y - ma.y) < (p.x - mb.x) * (p.x - mb.x) + (p.y - mb.y) * (p.y - mb.y)
                }
                return nearest == k ? 1.0 : 0.0
            }).meanEstimate
            #expect(abs(share.zScore(expected: c.weight)) <= 5, "component \(k): \(share)")
        }
    }

    @Test("noised(ᾱ): draws √ᾱ x₀ + √(1−ᾱ) ε have the mixture's moments and log-density normalization", arguments: [0.9, 0.3, 0.01])
    func noisedMarginal(alphaBar: Double) {
        var stream = RandomStream(seed: 14)
        let noised = lopsided.noised(alphaBar: alphaBar)
        let points = lopsided.sample(300_000, stream: &stream).map { x0 in
            Point2(alphaBar.squareRoot() * x0.x + (1 - alphaBar).squareRoot() * stream.normal(),
                   alphaBar.squareRoot() * x0.y + (1 - alphaBar).squareRoot() * stream.normal())
        }
        let norm = MomentAccumulator(points.map { $0.x * $0.x + $0.y * $0.y }).meanEstimate
        #expect(abs(norm.zScore(expected: noised.meanSquaredNorm)) <= 5, "\(norm)")
        let first = MomentAccumulator(points.map(\.x)).meanEstimate
        #expect(abs(first.zScore(expected: noised.mean.x)) <= 5)
        #expect(abs(noised.mean.x - alphaBar.squareRoot() * lopsided.mean.x) <= 1e-15)
        for c in noised.components { #expect(abs(c.variance - (alphaBar * 0.01 + 1 - alphaBar)) <= 1e-15) }
    }

    @Test("invalid mixtures are rejected with what is accepted")
    func validation() throws {
        let mean = Point2(0, 0)
        #expect(throws: ToyDataError.self) { try GaussianMixture2D([]) }
        #expect(throws: ToyDataError.self) { try GaussianMixture2D([.init(weight: 0, mean: mean, standardDeviation: 1)]) }
        #expect(throws: ToyDataError.self) { try GaussianMixture2D([.init(weight: 1, mean: mean, standardDeviation: -1)]) }
        #expect(throws: ToyDataError.self) { try GaussianMixture2D([.init(weight: 1, mean: Point2(.nan, 0), standardDeviation: 1)]) }
        #expect(throws: ToyDataError.self) { try GaussianMixture2D.eightGaussians(weights: [1, 2, 3]) }
        let normalized = try GaussianMixture2D([.init(weight: 3, mean: mean, standardDeviation: 1), .init(weight: 1, mean: Point2(1, 1), standardDeviation: 2)])
        #expect(normalized.components.map(\.weight) == [0.75, 0.25])
    }

    @Test("the preset: 8 equal weights, means on the unit circle, s = 0.1; same seed, same points")
    func preset() {
        let mixture = GaussianMixture2D.eightGaussians
        #expect(mixture.components.count == 8)
        for c in mixture.components {
            #expect(c.weight == 0.125 && c.standardDeviation == 0.1)
            #expect(abs((c.mean.x * c.mean.x + c.mean.y * c.mean.y).squareRoot() - 1) <= 1e-15)
        }
        var (a, b) = (RandomStream(seed: 5), RandomStream(seed: 5))
        #expect(mixture.sample(20, stream: &a) == mixture.sample(20, stream: &b))
    }
}
