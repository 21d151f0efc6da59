import Gaussian
import Stochastic
import Testing

/// The Fréchet distance against closed forms it must reduce to, and the matrix functions it
/// rests on. Exact checks: relative tolerance 1e-9.
@Suite struct FrechetDistanceTests {
    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    /// A random symmetric positive-definite d×d matrix A·Aᵀ + 0.1·I.
    static func spd(_ d: Int, seed: UInt64) -> [Double] {
        var stream = RandomStream(seed: seed, stream: 3)
        let a = (0..<(d * d)).map { _ in stream.normal() }
        var m = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { for k in 0..<d { m[i * d + j] += a[i * d + k] * a[j * d + k] } } }
        for i in 0..<d { m[i * d + i] += 0.1 }
        return m
    }

    @Test func oneDimensionIsMeanAndDeviationGap() {
        // d² = (μ₁ − μ₂)² + (σ₁ − σ₂)² in one dimension.
        let value = FrechetDistance.squared(mean1: [1.5], covariance1: [4], mean2: [-0.5], covariance2: [0.25])
        #expect(Self.close(value, 4 + 1.5 * 1.5))
    }

    @Test func diagonalCovariancesSumPerAxis() {
        let v1 = [1.0, 9, 0.04], v2 = [4.0, 1, 0.01], m1 = [0.0, 1, 2], m2 = [1.0, 1, -1]
        func diagonal(_ v: [Double]) -> [Double] { (0..<9).map { $0 % 4 == 0 ? v[$0 / 4] : 0 } }
        var expected = 0.0
        for i in 0..<3 { expected += (m1[i] - m2[i]) * (m1[i] - m2[i]) + (v1[i].squareRoot() - v2[i].squareRoot()) * (v1[i].squareRoot() - v2[i].squareRoot()) }
        let value = FrechetDistance.squared(mean1: m1, covariance1: diagonal(v1), mean2: m2, covariance2: diagonal(v2))
        #expect(Self.close(value, expected))
    }

    @Test func aGaussianIsAtDistanceZeroFromItself() {
        let sigma = Self.spd(6, seed: 1), mean = [0.3, -1, 2, 0, 5, 1]
        let value = FrechetDistance.squared(mean1: mean, covariance1: sigma, mean2: mean, covariance2: sigma)
        let trace = (0..<6).reduce(0.0) { $0 + sigma[$1 * 7] }
        #expect(abs(value) <= 1e-9 * trace, "\(value)")
    }

    /// Σ₂ = c²Σ₁ commutes with Σ₁: the geometric-mean term is c·Σ₁, so d² = (1 − c)²·Tr Σ₁.
    @Test func scaledCovarianceHasClosedForm() {
        let sigma = Self.spd(5, seed: 2), c = 1.7
        let value = FrechetDistance.squared(mean1: [0, 0, 0, 0, 0], covariance1: sigma, mean2: [0, 0, 0, 0, 0], covariance2: sigma.map { c * c * $0 })
        let trace = (0..<5).reduce(0.0) { $0 + sigma[$1 * 6] }
        #expect(Self.close(value, (1 - c) * (1 - c) * trace))
    }

    /// A wrong cross term, Tr(Σ₁Σ₂)^{1/2} taken as √Tr(Σ₁Σ₂), misses the closed form above.
    @Test func aWrongCrossTermIsRejected() {
        let sigma = Self.spd(5, seed: 2), c = 1.7
        let trace = (0..<5).reduce(0.0) { $0 + sigma[$1 * 6] }
        var productTrace = 0.0
        for i in 0..<5 { for k in 0..<5 { productTrace += sigma[i * 5 + k] * c * c * sigma[k * 5 + i] } }
        let wrong = trace + c * c * trace - 2 * productTrace.squareRoot()
        #expect(!Self.close(wrong, (1 - c) * (1 - c) * trace))
    }

    @Test func squareRootSquaresBack() {
        let sigma = Self.spd(7, seed: 3)
        let root = SymmetricEigen(sigma, size: 7).map { $0.squareRoot() }
        for i in 0..<7 {
            for j in 0..<7 {
                var sum = 0.0
                for k in 0..<7 { sum += root[i * 7 + k] * root[k * 7 + j] }
                #expect(Self.close(sum, sigma[i * 7 + j], 1e-10))
            }
        }
    }

    @Test func momentsAreTheSampleMeanAndUnbiasedCovariance() {
        // Three points in two dimensions, worked by hand: mean (1, 2); deviations (−1, −1), (0, 2), (1, −1).
        let moments = FrechetDistance.moments([0, 1, 1, 4, 2, 1], dimensions: 2)
        #expect(moments.mean == [1, 2])
        #expect(moments.covariance.enumerated().allSatisfy { Self.close($0.element, [1, 0, 0, 3][$0.offset]) })
    }
}
