import ScoreODE
import Testing

/// `Langevin`: the step's arithmetic and the stationary variance of a Gaussian target.
@Suite struct LangevinTests {
    @Test("Langevin's stationary variance is the fixed point of v = a²v + δ", arguments: [0.01, 0.5, 1.0, 2.0])
    func langevinFixedPoint(delta: Double) {
        let s2 = 1.5
        let v = Langevin.stationaryVariance(targetVariance: s2, delta: delta)
        let a = 1 - delta / (2 * s2)
        #expect(abs(a * a * v + delta - v) < 1e-12 * v)
    }

    /// The step is x + (δ/2)·score + √δ·z, exactly (δ = 0.25 and z = 2 keep it in binary).
    @Test func stepIsTheRuleAsWritten() {
        #expect(Langevin.step(1, score: -4, delta: 0.25, z: 2) == 1 + 0.125 * -4 + 0.5 * 2)
        #expect(Langevin.step(3, score: 0, delta: 0, z: 7) == 3)
    }
}
