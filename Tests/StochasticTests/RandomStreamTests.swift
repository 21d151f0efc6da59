import Foundation
import Testing
@testable import Stochastic

@Suite("RandomStream: seeded xoshiro256++ streams and the ziggurat N(0,1)")
struct RandomStreamTests {
    @Test("the same (seed, stream) gives the same numbers; other streams differ")
    func reproducible() {
        var a = RandomStream(seed: 42, stream: 3)
        var b = RandomStream(seed: 42, stream: 3)
        var c = RandomStream(seed: 42, stream: 4)
        var d = RandomStream(seed: 43, stream: 3)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
        #expect(first != (0..<100).map { _ in d.next() })
    }

    @Test("fillNormal consumes bits exactly as repeated normal() calls")
    func bulkMatchesSingle() {
        var bulk = RandomStream(seed: 7)
        var single = RandomStream(seed: 7)
        let values = bulk.normals(100_000)
        #expect(values == (0..<100_000).map { _ in single.normal() })
    }

    @Test("the ziggurat's 256 layers close at the top: f(x₂₅₅) + v/x₂₅₅ = 1")
    func tableCloses() {
        let table = ZigguratTable.shared
        let v = ZigguratTable.layerArea(r: table.r)
        let top = ZigguratTable.density(table.x[255]) + v / table.x[255]
        #expect(abs(top - 1) < 1e-12)
        // Every layer has the same area v: rectangle width xᵢ times height f(xᵢ₊₁) − f(xᵢ).
        for i in 1..<255 {
            let area = table.x[i] * (table.f[i + 1] - table.f[i])
            #expect(abs(area - v) / v < 1e-9, "layer \(i)")
        }
    }

    @Test("uniform() has mean ½ and variance 1/12", arguments: [UInt64(1), 2, 3])
    func uniformMoments(seed: UInt64) {
        var stream = RandomStream(seed: seed)
        let moments = MonteCarlo.moments(samples: 1_000_000, stream: &stream) { $0.uniform() }
        #expect(abs(moments.meanEstimate.zScore(expected: 0.5)) <= 5)
        #expect(abs(moments.varianceEstimate.zScore(expected: 1.0 / 12)) <= 5)
    }
}

/// Evidence that a sampler draws N(0, 1): mean, variance, fourth moment, the tail mass
/// beyond 3.5 (which only the ziggurat's tail branch produces) and KS.
struct NormalEvidence {
    let meanZ: Double, varianceZ: Double, fourthMomentZ: Double, tailZ: Double, ksPValue: Double

    init(samples: [Double]) {
        let moments = MomentAccumulator(samples)
        meanZ = moments.meanEstimate.zScore(expected: 0)
        varianceZ = moments.varianceEstimate.zScore(expected: 1)
        fourthMomentZ = MomentAccumulator(samples.lazy.map { $0 * $0 * $0 * $0 }).meanEstimate.zScore(expected: 3)
        let tail = MomentAccumulator(samples.lazy.map { abs($0) > 3.5 ? 1.0 : 0.0 }).meanEstimate
        tailZ = tail.zScore(expected: 2 * StandardNormal.survival(3.5))
        ksPValue = KolmogorovSmirnov(samples: samples, cdf: StandardNormal.cdf).pValue
    }

    var allPass: Bool {
        [meanZ, varianceZ, fourthMomentZ, tailZ].allSatisfy { abs($0) <= 5 } && ksPValue >= 5.733e-7
    }
}

@Suite("N(0,1) draws are N(0,1)")
struct NormalDistributionTests {
    @Test("ziggurat draws: moments, tail and KS", arguments: [UInt64(1), 2, 3])
    func ziggurat(seed: UInt64) {
        var stream = RandomStream(seed: seed, stream: 11)
        let evidence = NormalEvidence(samples: stream.normals(4_000_000))
        #expect(evidence.allPass, "\(evidence)")
    }

    @Test("GSL's mt19937 ziggurat passes the same evidence")
    func gsl() throws {
        let generator = try GSLGenerator(seed: 5)
        let evidence = NormalEvidence(samples: (0..<2_000_000).map { _ in generator.normal() })
        #expect(evidence.allPass, "\(evidence)")
    }

    @Test("mutation: 12 uniforms minus 6 (a classic approximation) is rejected")
    func approximationRejected() {
        var stream = RandomStream(seed: 1, stream: 12)
        let samples = (0..<4_000_000).map { _ in (0..<12).reduce(0.0) { sum, _ in sum + stream.uniform() } - 6 }
        let evidence = NormalEvidence(samples: samples)
        #expect(!evidence.allPass)
        #expect(abs(evidence.tailZ) > 10 || abs(evidence.fourthMomentZ) > 10)
    }

    @Test("mutation: a ziggurat without its tail branch is rejected")
    func truncatedRejected() {
        var stream = RandomStream(seed: 2, stream: 13)
        let samples = stream.normals(4_000_000).map { min(max($0, -3.4), 3.4) }
        #expect(!NormalEvidence(samples: samples).allPass)
    }
}
