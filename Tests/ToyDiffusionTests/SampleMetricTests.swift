import Foundation
import Stochastic
import Testing
@testable import ToyDiffusion

/// n draws of N(μ, σ²I).
func gaussianPoints(_ n: Int, mean: Point2 = Point2(0, 0), sd: Double = 1, stream: inout RandomStream) -> [Point2] {
    (0..<n).map { _ in Point2(mean.x + sd * stream.normal(), mean.y + sd * stream.normal()) }
}

@Suite("Sliced Wasserstein-2")
struct SlicedWassersteinTests {
    /// A shift moves every sorted projection by u·μ: SW₂² = mean over the directions of (u·μ)²,
    /// whatever the order of the shifted points.
    @Test("SW₂(X, shuffled X + μ) = √(mean_u (u·μ)²) for the same directions (rel ≤ 1e-12)")
    func shiftIdentity() throws {
        var stream = RandomStream(seed: 31)
        let x = SwissRoll.sample(3000, stream: &stream)
        let mu = Point2(0.4, -0.7)
        let directions = SlicedWasserstein.directions(300, stream: &stream)
        let y = shuffled(x.map { Point2($0.x + mu.x, $0.y + mu.y) }, first: x.count, stream: &stream)
        let expected = (directions.map { pow($0.x * mu.x + $0.y * mu.y, 2) }.reduce(0, +) / 300).squareRoot()
        let sw = try SlicedWasserstein.distance(x, y, directions: directions)
        #expect(abs(sw - expected) <= 1e-12 * expected)
        // Mutation: without sorting, the shuffled pairing adds 2·mean_u Var(u·X) ≈ E‖x‖² ≈ 1 to SW₂².
        let unsorted = (directions.map { u in
            zip(x, y).map { pow(u.x * ($0.x - $1.x) + u.y * ($0.y - $1.y), 2) }.reduce(0, +) / Double(x.count)
        }.reduce(0, +) / 300).squareRoot()
        #expect(unsorted * unsorted - expected * expected > 0.8)
    }

    /// For independent samples the exact expansion of the sorted differences gives
    /// SW₂²(X, Y + μ) = SW₂²(X, Y) − 2 mean_u (u·μ)((x̄ − ȳ)·u) + mean_u (u·μ)², because the sorted
    /// projections of Y + μ are those of Y plus u·μ and Σ sorted = Σ unsorted.
    @Test("N(0,I) vs N(μ,I) samples: SW₂² decomposes exactly into the floor, a mean term and mean_u (u·μ)²")
    func gaussianShiftDecomposition() throws {
        var stream = RandomStream(seed: 32)
        let (x, y) = (gaussianPoints(4000, stream: &stream), gaussianPoints(4000, stream: &stream))
        let mu = Point2(1.0, 0.5)
        let directions = SlicedWasserstein.directions(256, stream: &stream)
        let meanGap = Point2(x.map(\.x).reduce(0, +) / 4000 - y.map(\.x).reduce(0, +) / 4000,
                             x.map(\.y).reduce(0, +) / 4000 - y.map(\.y).reduce(0, +) / 4000)
        let shift = directions.map { $0.x * mu.x + $0.y * mu.y }
        let cross = zip(directions, shift).map { u, s in s * (u.x * meanGap.x + u.y * meanGap.y) }.reduce(0, +) / 256
        let squaredShift = shift.map { $0 * $0 }.reduce(0, +) / 256
        let floor = try SlicedWasserstein.distance(x, y, directions: directions)
        let shifted = try SlicedWasserstein.distance(x, y.map { Point2($0.x + mu.x, $0.y + mu.y) }, directions: directions)
        let expected = floor * floor - 2 * cross + squaredShift
        #expect(abs(shifted * shifted - expected) <= 1e-11 * expected)
        // The population value for uniform directions is ‖μ‖²/2: (u·μ)² = ‖μ‖²cos²θ, mean ½, variance ‖μ‖⁴/8.
        let directionsMean = MomentAccumulator(shift.map { $0 * $0 }).meanEstimate
        #expect(abs(directionsMean.zScore(expected: 1.25 / 2)) <= 5)
        #expect(abs(directionsMean.standardError - 1.25 * (1.0 / 8 / 256).squareRoot()) <= 0.2 * directionsMean.standardError)
    }

    @Test("P → ∞: SW₂(X, X + μ) → ‖μ‖/√2 (uniform directions; 20 000 of them, within 5 stderr)")
    func manyDirections() throws {
        var stream = RandomStream(seed: 33)
        let x = gaussianPoints(200, stream: &stream)
        let mu = Point2(0.3, -0.4)
        let sw = try SlicedWasserstein.distance(x, x.map { Point2($0.x + mu.x, $0.y + mu.y) }, projections: 20_000, seed: 3)
        // SW² is a mean of 20 000 values ‖μ‖²cos²θ: stderr ‖μ‖²/√(8·20 000).
        let stderr = 0.25 / (8.0 * 20_000).squareRoot()
        #expect(abs(sw * sw - 0.125) <= 5 * stderr)
    }

    @Test("order-free, symmetric, zero on equal sets, reproducible from the seed; unequal sizes are rejected")
    func properties() throws {
        var stream = RandomStream(seed: 34)
        let (x, y) = (TwoMoons.sample(500, stream: &stream), SwissRoll.sample(500, stream: &stream))
        let d = try SlicedWasserstein.distance(x, y, seed: 9)
        #expect(try SlicedWasserstein.distance(y, x, seed: 9) == d)
        #expect(abs(try SlicedWasserstein.distance(shuffled(x, first: 500, stream: &stream), y, seed: 9) - d) <= 1e-14)
        #expect(try SlicedWasserstein.distance(x, x) == 0)
        #expect(try SlicedWasserstein.distance(x, y, seed: 9) == d)
        #expect(throws: ToyDataError.self) { try SlicedWasserstein.distance(x, Array(y.prefix(10))) }
        #expect(throws: ToyDataError.self) { try SlicedWasserstein.distance(x, y, projections: 0) }
    }
}

@Suite("Energy distance")
struct EnergyDistanceTests {
    @Test("two point masses a and b: 2‖a − b‖ exactly, for both estimators")
    func pointMasses() throws {
        let (a, b) = (Point2(0.5, -1), Point2(-2.5, 3))  // ‖a − b‖ = 5
        let x = Array(repeating: a, count: 50), y = Array(repeating: b, count: 70)
        #expect(try EnergyDistance.estimate(x, y) == 10)
        #expect(try EnergyDistance.estimate(x, y, estimator: .biased) == 10)
    }

    /// On a line, X ~ N(0, 1), Y ~ N(μ, 1): E|N(m, s²)| = s√(2/π) e^{−m²/2s²} + m(1 − 2Φ(−m/s)), so
    /// 2E|X − Y| − E|X − X′| − E|Y − Y′| = (4/√π)(e^{−μ²/4} − 1) + 2μ(1 − 2Φ(−μ/√2)).
    /// Power against the V-statistic: its bias (E|X − X′|)(2/n) is fixed by n, while the stderr of
    /// the mean over K pairs falls as 1/√K: many small pairs (K = 4000, n = 50) resolve it.
    @Test("N(0,1) vs N(μ,1) on a line: the closed form (MC over 4000 pairs, |z| ≤ 5), which the V-statistic misses")
    func gaussianClosedForm() throws {
        let mu = 0.8
        let truth = 4 / Double.pi.squareRoot() * (Foundation.exp(-mu * mu / 4) - 1) + 2 * mu * (1 - 2 * StandardNormal.cdf(-mu / 2.0.squareRoot()))
        var stream = RandomStream(seed: 35)
        var unbiased = MomentAccumulator(), biased = MomentAccumulator()
        for _ in 0..<4000 {
            let x = (0..<50).map { _ in Point2(stream.normal(), 0) }
            let y = (0..<50).map { _ in Point2(mu + stream.normal(), 0) }
            unbiased.add(try EnergyDistance.estimate(x, y))
            biased.add(try EnergyDistance.estimate(x, y, estimator: .biased))
        }
        #expect(abs(unbiased.meanEstimate.zScore(expected: truth)) <= 5, "\(unbiased.meanEstimate) vs \(truth)")
        #expect(abs(biased.meanEstimate.zScore(expected: truth)) > 5)
    }

    @Test("V − U = Ûₓₓ/n + Û_yy/m exactly (the within terms differ by the factor (n−1)/n)")
    func estimatorsDiffer() throws {
        var stream = RandomStream(seed: 36)
        let (x, y) = (SwissRoll.sample(120, stream: &stream), TwoMoons.sample(90, stream: &stream))
        let u = try EnergyDistance.estimate(x, y), v = try EnergyDistance.estimate(x, y, estimator: .biased)
        let within = { (p: [Point2]) in PointColumns(p).withinMean(.unbiased, diagonal: 0) { $0.squareRoot() } }
        #expect(abs((v - u) - (within(x) / 120 + within(y) / 90)) <= 1e-13)
    }

    @Test("subsampling: sets at most the subsample size are used whole; larger ones reproducibly by seed")
    func subsampling() throws {
        var stream = RandomStream(seed: 37)
        let (x, y) = (SwissRoll.sample(300, stream: &stream), SwissRoll.sample(300, stream: &stream))
        #expect(try EnergyDistance.estimate(x, y, subsample: 300) == EnergyDistance.estimate(x, y, subsample: nil))
        #expect(try EnergyDistance.estimate(x, y, subsample: 100, seed: 4) == EnergyDistance.estimate(x, y, subsample: 100, seed: 4))
        #expect(try EnergyDistance.estimate(x, y, subsample: 100, seed: 4) != EnergyDistance.estimate(x, y, subsample: 100, seed: 5))
        #expect(throws: ToyDataError.self) { try EnergyDistance.estimate(x, y, subsample: 1) }
        #expect(throws: ToyDataError.self) { try EnergyDistance.estimate([Point2(0, 0)], y) }
    }
}

@Suite("MMD² with an RBF kernel")
struct MaximumMeanDiscrepancyTests {
    @Test("a set against itself: MMD²_b = 0 exactly, MMD²ᵤ = −2(1 − Ûₓₓ)/n ≈ 0")
    func identicalSets() throws {
        var stream = RandomStream(seed: 41)
        let x = SwissRoll.sample(400, stream: &stream)
        #expect(abs(try MaximumMeanDiscrepancy.squared(x, x, bandwidth: 0.5, estimator: .biased)) <= 1e-14)
        let within = PointColumns(x).withinMean(.unbiased, diagonal: 1) { Foundation.exp(-$0 / (2 * 0.25)) }
        let u = try MaximumMeanDiscrepancy.squared(x, x, bandwidth: 0.5)
        #expect(abs(u - (-2 * (1 - within) / 400)) <= 1e-14)
        #expect(abs(u) <= 2.0 / 400)
    }

    @Test("two tight clusters 100 h apart: MMD² = 2 (the kernel's maximum)")
    func separated() throws {
        var stream = RandomStream(seed: 42)
        let x = gaussianPoints(300, sd: 1e-3, stream: &stream), y = gaussianPoints(300, mean: Point2(100, 0), sd: 1e-3, stream: &stream)
        let value = try MaximumMeanDiscrepancy.squared(x, y, bandwidth: 1)
        #expect(abs(value - 2) <= 1e-5)
    }

    /// E exp(−‖Z‖²/2h²) for Z ~ N(m, τ²I) in 2-D is h²/(h² + τ²)·exp(−‖m‖²/(2(h² + τ²))); with
    /// X − X′ ~ N(0, 2σ²I) and X − Y ~ N(−μ, 2σ²I): MMD² = 2c(1 − exp(−‖μ‖²/(2(h² + 2σ²)))), c = h²/(h² + 2σ²).
    @Test("N(0, σ²I) vs N(μ, σ²I): the closed form (MC over 4000 pairs, |z| ≤ 5), which MMD²_b misses")
    func gaussianClosedForm() throws {
        let (sigma2, h, mu) = (0.25, 0.7, Point2(0.3, 0.2))
        let c = h * h / (h * h + 2 * sigma2)
        let truth = 2 * c * (1 - Foundation.exp(-(mu.x * mu.x + mu.y * mu.y) / (2 * (h * h + 2 * sigma2))))
        var stream = RandomStream(seed: 43)
        var unbiased = MomentAccumulator(), biased = MomentAccumulator()
        for _ in 0..<4000 {
            let x = gaussianPoints(50, sd: sigma2.squareRoot(), stream: &stream)
            let y = gaussianPoints(50, mean: mu, sd: sigma2.squareRoot(), stream: &stream)
            unbiased.add(try MaximumMeanDiscrepancy.squared(x, y, bandwidth: h))
            biased.add(try MaximumMeanDiscrepancy.squared(x, y, bandwidth: h, estimator: .biased))
        }
        #expect(abs(unbiased.meanEstimate.zScore(expected: truth)) <= 5, "\(unbiased.meanEstimate) vs \(truth)")
        #expect(abs(biased.meanEstimate.zScore(expected: truth)) > 5)
    }

    @Test("the median heuristic is the median pairwise distance of the pooled points")
    func medianHeuristic() throws {
        // Pooled points 0, 1, 3 on a line: distances 1, 3, 2 → median 2.
        #expect(try MaximumMeanDiscrepancy.medianHeuristic([Point2(0, 0), Point2(1, 0)], [Point2(3, 0)]) == 2)
        // Four points: distances 1, 2, 4, 1, 3, 2 → sorted 1 1 2 2 3 4 → median 2.
        #expect(try MaximumMeanDiscrepancy.medianHeuristic([Point2(0, 0), Point2(1, 0)], [Point2(2, 0), Point2(4, 0)]) == 2)
        #expect(throws: ToyDataError.self) { try MaximumMeanDiscrepancy.squared([Point2(0, 0), Point2(0, 0)], [Point2(0, 0), Point2(0, 0)]) }
    }
}

@Suite("Sample metrics and the noise floor")
struct NoiseFloorTests {
    /// A diverged trajectory leaves NaN or ±∞ in the samples; every metric would be NaN, so
    /// the metrics refuse, naming the count (without the check the result is NaN, not an error).
    @Test("a point that is not finite, in either set, is an error", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinitePoints(bad: Double) throws {
        var (a, b) = (RandomStream(seed: 5, stream: 0), RandomStream(seed: 5, stream: 1))
        let x = ToyDataset.swissroll.sample(200, stream: &a), y = ToyDataset.swissroll.sample(200, stream: &b)
        #expect(throws: Never.self) { try SampleMetrics(x, y) }
        var broken = x
        broken[17] = Point2(broken[17].x, bad)
        #expect(throws: ToyDataError("1 of the 200 points of the first set are not finite (NaN or ±∞): sample metrics need finite points")) {
            try SampleMetrics(broken, y)
        }
        #expect(throws: ToyDataError.self) { try SampleMetrics(y, broken) }
    }

    @Test("the floor is reproducible, matches the metric functions, and sits below the distance between data sets",
          arguments: ToyDataset.allCases)
    func floor(dataset: ToyDataset) throws {
        let floor = try dataset.noiseFloor(samples: 1000, seed: 3)
        #expect(try dataset.noiseFloor(samples: 1000, seed: 3) == floor)
        var (a, b) = (RandomStream(seed: 3, stream: 0), RandomStream(seed: 3, stream: 1))
        let (x, y) = (dataset.sample(1000, stream: &a), dataset.sample(1000, stream: &b))
        #expect(floor.slicedWasserstein == (try SlicedWasserstein.distance(x, y)))
        #expect(floor.energyDistance == (try EnergyDistance.estimate(x, y)))
        #expect(floor.bandwidth == (try MaximumMeanDiscrepancy.medianHeuristic(x, y)))
        #expect(floor.mmdSquared == (try MaximumMeanDiscrepancy.squared(x, y, bandwidth: floor.bandwidth)))
        for other in ToyDataset.allCases where other != dataset {
            var s = RandomStream(seed: 4)
            let apart = try SampleMetrics(x, other.sample(1000, stream: &s), options: MetricOptions(bandwidth: floor.bandwidth))
            #expect(floor.slicedWasserstein < apart.slicedWasserstein, "\(dataset) vs \(other)")
            #expect(floor.energyDistance < apart.energyDistance, "\(dataset) vs \(other)")
            #expect(floor.mmdSquared < apart.mmdSquared, "\(dataset) vs \(other)")
        }
    }
}
