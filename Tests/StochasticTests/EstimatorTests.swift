import Foundation
import Testing
import Stochastic

@Suite("Monte-Carlo estimators")
struct EstimatorTests {
    @Test("streaming moments equal the two-pass formulas")
    func momentsMatchTwoPass() {
        var stream = RandomStream(seed: 3)
        let xs = (0..<10_000).map { _ in 5 + 2 * stream.normal() + stream.uniform() }
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        let m2 = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let m4 = xs.reduce(0) { $0 + pow($1 - mean, 4) }
        let s2 = m2 / (n - 1)
        let varianceOfS2 = (m4 / n) / n - s2 * s2 * (n - 3) / (n * (n - 1))
        let moments = MomentAccumulator(xs)
        #expect(abs(moments.meanEstimate.mean - mean) / mean < 1e-12)
        #expect(abs(moments.meanEstimate.standardError - (s2 / n).squareRoot()) / (s2 / n).squareRoot() < 1e-10)
        #expect(abs(moments.varianceEstimate.mean - s2) / s2 < 1e-10)
        #expect(abs(moments.varianceEstimate.standardError - varianceOfS2.squareRoot()) / varianceOfS2.squareRoot() < 1e-8)
    }

    /// The stderr of s² claimed by the estimator must match the real spread of s² over
    /// many replications: for N(0, σ²) data Var(s²) = 2σ⁴/(n−1).
    @Test("the variance's standard error matches the spread of s² across replications")
    func varianceStandardErrorIsHonest() {
        var stream = RandomStream(seed: 4)
        let sigma2 = 2.0, n = 200
        var spread = MomentAccumulator()
        var claimed = MomentAccumulator()
        for _ in 0..<20_000 {
            let estimate = MonteCarlo.moments(samples: n, stream: &stream) { sigma2.squareRoot() * $0.normal() }.varianceEstimate
            spread.add(estimate.mean)
            claimed.add(estimate.standardError * estimate.standardError)
        }
        let truth = 2 * sigma2 * sigma2 / Double(n - 1)
        #expect(abs(spread.varianceEstimate.zScore(expected: truth)) <= 5)
        // The claimed Var(s²) is unbiased to O(1/n²) for normal data.
        #expect(abs(claimed.meanEstimate.mean - truth) / truth < 0.03)
        // Mutation: a stderr of σ²/√n (forgetting the factor √2) is rejected.
        #expect(abs(spread.varianceEstimate.zScore(expected: sigma2 * sigma2 / Double(n))) > 10)
    }

    @Test("z-scores: plain, zero stderr")
    func zScores() {
        #expect(abs(MeanEstimate(mean: 1.5, standardError: 0.1, count: 10).zScore(expected: 1) - 5) < 1e-12)
        #expect(MeanEstimate(mean: 2, standardError: 0, count: 10).zScore(expected: 2) == 0)
        #expect(MeanEstimate(mean: 2, standardError: 0, count: 10).zScore(expected: 1) == .infinity)
    }
}

@Suite("Kolmogorov–Smirnov")
struct KolmogorovSmirnovTests {
    @Test("Kolmogorov's survival function at its tabulated critical values",
          arguments: [(1.2238, 0.10), (1.3581, 0.05), (1.6276, 0.01), (1.9495, 0.001)])
    func criticalValues(lambda: Double, alpha: Double) {
        #expect(abs(KolmogorovSmirnov.kolmogorovSurvival(lambda) - alpha) / alpha < 2e-3)
    }

    @Test("uniform draws against the uniform CDF pass; against a shifted CDF they fail")
    func uniform() {
        var stream = RandomStream(seed: 9)
        let xs = (0..<200_000).map { _ in stream.uniform() }
        let right = KolmogorovSmirnov(samples: xs) { min(max($0, 0), 1) }
        let shifted = KolmogorovSmirnov(samples: xs) { min(max($0 - 0.01, 0), 1) }
        #expect(right.pValue > 5.7e-7)
        #expect(shifted.pValue < 1e-12)
        #expect(abs(shifted.statistic - 0.01) < 0.005)
    }
}

@Suite("GSL quadrature over Swift closures")
struct QuadratureTests {
    @Test("finite, infinite and half-infinite intervals")
    func integrals() throws {
        let cases: [(Double, Double, (Double) -> Double, Double)] = [
            (0, 1, { $0 * $0 }, 1.0 / 3),
            (-.infinity, .infinity, { exp(-$0 * $0) }, Double.pi.squareRoot()),
            (0, .infinity, { exp(-$0) }, 1),
            (-.infinity, 0, { exp($0) }, 1),
            (0, 1, { log($0) }, -1),  // an endpoint singularity: qags extrapolates
        ]
        for (a, b, f, truth) in cases {
            let result = try Quadrature.integrate(from: a, to: b, f)
            #expect(abs(result.value - truth) / abs(truth) < 1e-10, "∫ over [\(a), \(b)]")
        }
    }

    @Test("a narrow peak far out on the whole line is found when the split point is near it")
    func farPeak() throws {
        let peak: (Double) -> Double = { x in exp(-(x - 100) * (x - 100) / 0.6) / (0.6 * Double.pi).squareRoot() }
        let result = try Quadrature.integrate(from: -.infinity, to: .infinity, center: 100, peak)
        #expect(abs(result.value - 1) < 1e-12)
    }

    @Test("reversed infinite bounds are an error")
    func badBounds() {
        #expect(throws: GSLError.self) { _ = try Quadrature.integrate(from: .infinity, to: 0) { $0 } }
    }

    @Test("a divergent integral is a GSLError, not an abort")
    func divergent() {
        #expect(throws: GSLError.self) {
            _ = try Quadrature.integrate(from: 0, to: 1) { 1 / $0 }
        }
    }
}

@Suite("Least-squares line fit")
struct LineFitTests {
    @Test("recovers slope, intercept and residual variance within their standard errors", arguments: [UInt64(1), 2])
    func recovers(seed: UInt64) throws {
        var stream = RandomStream(seed: seed, stream: 21)
        let xs = (0..<200_000).map { _ in stream.normal() * 1.5 + 0.3 }
        let ys = xs.map { 2 + 0.7 * $0 + 0.5 * stream.normal() }
        let fit = try LineFit(x: xs, y: ys)
        #expect(abs(fit.slope.zScore(expected: 0.7)) <= 5)
        #expect(abs(fit.intercept.zScore(expected: 2)) <= 5)
        #expect(abs(fit.residualVariance.zScore(expected: 0.25)) <= 5)
        // Mutations: a 1 % wrong slope and a residual variance of σ instead of σ² are rejected.
        #expect(abs(fit.slope.zScore(expected: 0.707)) > 5)
        #expect(abs(fit.residualVariance.zScore(expected: 0.5)) > 5)
    }

    @Test("fewer than three points is an error")
    func tooFew() {
        #expect(throws: GSLError.self) { _ = try LineFit(x: [1, 2], y: [1, 2]) }
    }
}

@Suite("The linked libraries")
struct LinkedLibraryTests {
    @Test("cblas_sgemm comes from OpenBLAS, not GSL's reference CBLAS")
    func openBLAS() {
        #expect(blasLibraryPath()?.contains("openblas") == true, "\(blasLibraryPath() ?? "unresolved")")
        #expect(!openBLASCoreName.isEmpty)
        #expect(gslVersion.hasPrefix("2."))
    }
}
