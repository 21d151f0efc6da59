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

    /// With honest z, a closed form off by the stated resolution (z ∓ 10) fails in ≥ 99 % of
    /// rows and one off by a tenth (z ∓ 1) in ≤ 1 %; z twice too wide (a stderr stated at half
    /// its size) makes the tenth fail too often, and z compressed by 3 loses no power, but its
    /// variance is reported.
    @Test("power at the stated resolution: ≥ 99 % at the resolution, ≤ 1 % at a tenth")
    func power() throws {
        let honest = CalibrationReport.Statistics(z: Self.normals(3000, seed: 9), p: [])
        #expect(try #require(honest.powerAtResolution) >= 0.99)
        #expect(try #require(honest.failuresAtTenth) <= 0.01)
        let wide = CalibrationReport.Statistics(z: Self.normals(3000, seed: 9).map { 2.5 * $0 }, p: [])
        #expect(try #require(wide.failuresAtTenth) > 0.01)
        #expect(wide.problems.contains { $0.hasPrefix("a tenth of the resolution fails") })
        let overstated = CalibrationReport.Statistics(z: Self.normals(3000, seed: 9).map { 4 * $0 }, p: [])
        #expect(try #require(overstated.powerAtResolution) < 0.99)
        #expect(overstated.problems.contains { $0.hasPrefix("power at the stated resolution") })
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
