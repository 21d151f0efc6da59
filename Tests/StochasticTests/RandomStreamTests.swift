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

    @Test("a GSL stream: same (seed, stream) same numbers, other pairs differ, the generator it reports", arguments: [RandomGenerator.mt19937, .ranlxd2])
    func gslReproducible(generator: RandomGenerator) {
        func words(_ seed: UInt64, _ stream: UInt64) -> [UInt64] {
            var s = RandomStream(seed: seed, stream: stream, generator: generator)
            return (0..<50).map { _ in s.next() }
        }
        #expect(RandomStream(seed: 1, generator: generator).generator == generator)
        #expect(RandomStream(seed: 1).generator == .xoshiro)
        #expect(words(42, 3) == words(42, 3))
        #expect(words(42, 3) != words(42, 4))
        #expect(words(42, 3) != words(43, 3))
        var xoshiro = RandomStream(seed: 42, stream: 3)
        #expect(words(42, 3) != (0..<50).map { _ in xoshiro.next() })
        // fillNormal draws what repeated normal() calls draw, as for xoshiro.
        var bulk = RandomStream(seed: 9, generator: generator), single = bulk
        #expect(bulk.normals(1000) == (0..<1000).map { _ in single.normal() })
    }

    @Test("a copied GSL stream continues the same sequence independently (copy on write)")
    func gslCopies() {
        var original = RandomStream(seed: 3, stream: 1, generator: .mt19937)
        _ = original.normals(10)
        var copy = original
        let fromOriginal = original.normals(100) + [original.uniform(), original.uniformPositive()]
        let fromCopy = copy.normals(100) + [copy.uniform(), copy.uniformPositive()]
        #expect(fromOriginal == fromCopy)
        // Mutation: had the copy shared the state, its draws would have continued after the original's.
        var shared = RandomStream(seed: 3, stream: 1, generator: .mt19937)
        _ = shared.normals(10 + 100)
        _ = (shared.uniform(), shared.uniformPositive())
        #expect(shared.normals(100) != Array(fromCopy.prefix(100)))
    }

    @Test("GSL uniforms: U[0, 1) with mean ½ and variance 1/12, and U(0, 1] never 0", arguments: [RandomGenerator.mt19937, .ranlxd2])
    func gslUniformMoments(generator: RandomGenerator) {
        var stream = RandomStream(seed: 2, generator: generator)
        let moments = MonteCarlo.moments(samples: 500_000, stream: &stream) { $0.uniform() }
        #expect(abs(moments.meanEstimate.zScore(expected: 0.5)) <= 5)
        #expect(abs(moments.varianceEstimate.zScore(expected: 1.0 / 12)) <= 5)
        #expect((0..<100_000).allSatisfy { _ in stream.uniformPositive() > 0 })
        let indices = (0..<60_000).map { _ in stream.index(below: 6) }
        #expect(Set(indices) == Set(0..<6))
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

    @Test("GSL's generators through gsl_ran_gaussian_ziggurat pass the same evidence", arguments: [RandomGenerator.mt19937, .ranlxd2])
    func gsl(generator: RandomGenerator) {
        var stream = RandomStream(seed: 5, stream: 11, generator: generator)
        let evidence = NormalEvidence(samples: stream.normals(generator == .ranlxd2 ? 1_000_000 : 2_000_000))
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
