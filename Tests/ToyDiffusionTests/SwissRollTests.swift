import Foundation
import Stochastic
import Testing
import ToyDiffusion

@Suite("The swiss roll")
struct SwissRollTests {
    /// Without noise the radius r = u/10 is uniform on [0.15π, 0.45π]: mean 0.3π and
    /// variance (0.3π)²/12. With independent N(0, σ²) noise per coordinate,
    /// E‖x‖² = E[u²]/100 + 2σ², exactly.
    @Test("E‖x‖² = E[u²]/100 + 2σ² (MC), and the same seed gives the same points")
    func secondMoment() {
        var stream = RandomStream(seed: 1)
        let points = SwissRoll.sample(400_000, stream: &stream)
        let (a, b) = (SwissRoll.angles.lowerBound, SwissRoll.angles.upperBound)
        let meanU2 = (b * b * b - a * a * a) / (3 * (b - a))
        let truth = meanU2 / 100 + 2 * SwissRoll.noise * SwissRoll.noise
        let estimate = MomentAccumulator(points.map { $0.x * $0.x + $0.y * $0.y }).meanEstimate
        #expect(abs(estimate.zScore(expected: truth)) <= 5)
        // Mutation: forgetting the noise term is rejected (it is 0.005 out of ≈ 1.02).
        #expect(abs(estimate.zScore(expected: meanU2 / 100)) > 5)
        var again = RandomStream(seed: 1)
        #expect(SwissRoll.sample(10, stream: &again) == Array(points.prefix(10)))
    }
}
