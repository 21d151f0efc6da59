import CheckCore
import Stochastic
import Testing

/// `CalibrationReport.Statistics` on z-scores and p-values of known law: it must pass honest
/// ones and report each way a standard error or a p-value can be wrong.
@Suite("Calibration statistics")
struct CalibrationTests {
    static func normals(_ n: Int, seed: UInt64) -> [Double] {
        var stream = RandomStream(seed: seed, stream: 77)
        return stream.normals(n)
    }

    static func uniforms(_ n: Int, seed: UInt64) -> [Double] {
        var stream = RandomStream(seed: seed, stream: 78)
        return (0..<n).map { _ in stream.uniform() }
    }

    @Test("honest z ~ N(0, 1) and p ~ U(0, 1) are calibrated", arguments: [UInt64(1), 2, 3])
    func honest(seed: UInt64) {
        let s = CalibrationReport.Statistics(z: Self.normals(3000, seed: seed), p: Self.uniforms(600, seed: seed))
        #expect(s.calibrated, "\(s.problems)")
        #expect(s.zCount == 3000 && s.pCount == 600 && s.nonFinite == 0)
        #expect(abs(s.varianceZScore ?? .infinity) <= 5)
    }

    /// A standard error scaled by f turns z into z/f: var(z) = 1/f², which the variance test
    /// catches at the pooled size of a 20-seed calibration (3,000 z-scores).
    @Test("a standard error scaled by 0.7 or 1.5 is reported", arguments: [0.7, 1.5])
    func plantedStderr(factor: Double) throws {
        let z = Self.normals(3000, seed: 4).map { $0 / factor }
        let s = CalibrationReport.Statistics(z: z, p: [])
        #expect(!s.calibrated)
        let variance = try #require(s.varianceZ)
        #expect(abs(variance - 1 / (factor * factor)) < 0.15, "var(z) = \(variance)")
        #expect(s.problems.contains { $0.hasPrefix("var(z)") })
    }

    @Test("a shifted mean, non-uniform p-values and non-finite z are each reported")
    func otherMistakes() {
        let shifted = CalibrationReport.Statistics(z: Self.normals(3000, seed: 5).map { $0 + 0.5 }, p: [])
        #expect(shifted.problems.contains { $0.hasPrefix("z is not N(0, 1)") })
        let skewed = CalibrationReport.Statistics(z: [], p: Self.uniforms(600, seed: 6).map { $0 * $0 })
        #expect(skewed.problems.contains { $0.hasPrefix("p is not U(0, 1)") })
        let infinite = CalibrationReport.Statistics(z: Self.normals(100, seed: 7) + [.infinity], p: [])
        #expect(infinite.nonFinite == 1 && infinite.beyondBound == 1 && !infinite.calibrated)
    }

    @Test("too few z-scores skip the variance test instead of trusting a noisy fourth moment")
    func fewScores() {
        let s = CalibrationReport.Statistics(z: Self.normals(CalibrationReport.Statistics.minimumForVariance - 1, seed: 8), p: [])
        #expect(s.varianceZ == nil && s.zKSPValue != nil)
    }
}
