import Foundation
import Stochastic
import Testing
import ToyDiffusion

@Suite("Two moons and the data set list")
struct TwoMoonsTests {
    /// The moons are mirror images through the origin, so E[x] = 0; with the noise,
    /// E‖x‖² = scale²(21/16 − 1/π) + 2σ².
    @Test("E[x] = 0 and E‖x‖² = scale²(21/16 − 1/π) + 2σ² (MC, |z| ≤ 5); a wrong E sin θ is rejected")
    func moments() {
        var stream = RandomStream(seed: 21)
        let points = TwoMoons.sample(400_000, stream: &stream)
        #expect(abs(MomentAccumulator(points.map(\.x)).meanEstimate.zScore(expected: 0)) <= 5)
        #expect(abs(MomentAccumulator(points.map(\.y)).meanEstimate.zScore(expected: 0)) <= 5)
        let scale2 = TwoMoons.scale * TwoMoons.scale
        let truth = scale2 * (21.0 / 16 - 1 / Double.pi) + 2 * TwoMoons.noise * TwoMoons.noise
        let norm = MomentAccumulator(points.map { $0.x * $0.x + $0.y * $0.y }).meanEstimate
        #expect(abs(norm.zScore(expected: truth)) <= 5, "\(norm) vs \(truth)")
        // Mutation: E sin θ = 1/2 (the mean of sin over a full period's positive half, misremembered).
        #expect(abs(norm.zScore(expected: scale2 * (21.0 / 16 - 0.25) + 2 * TwoMoons.noise * TwoMoons.noise)) > 5)
    }

    @Test("the points stay within the stated range (±1.35 by ±0.68, plus noise)")
    func range() {
        var stream = RandomStream(seed: 22)
        for p in TwoMoons.sample(20_000, stream: &stream) {
            #expect(abs(p.x) <= 1.35 + 6 * TwoMoons.noise && abs(p.y) <= 0.675 + 6 * TwoMoons.noise)
        }
    }

    @Test("every data set: n points, reproducible from the seed, a one-line summary", arguments: ToyDataset.allCases)
    func datasets(dataset: ToyDataset) {
        var (a, b) = (RandomStream(seed: 23), RandomStream(seed: 23))
        let points = dataset.sample(500, stream: &a)
        #expect(points.count == 500)
        #expect(points == dataset.sample(500, stream: &b))
        #expect(!dataset.summary.isEmpty && !dataset.summary.contains("\n"))
        // All on the swiss roll's scale.
        let radius = points.map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }.max() ?? 0
        #expect(radius > 1 && radius < 1.8, "\(dataset): max radius \(radius)")
    }

    @Test("the names the CLI accepts")
    func names() {
        #expect(ToyDataset.allCases.map(\.rawValue) == ["swissroll", "gaussians", "moons"])
    }
}
