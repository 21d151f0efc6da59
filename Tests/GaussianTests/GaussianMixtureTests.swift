import Gaussian
import Stochastic
import Testing

/// `GaussianMixture` against quadrature of its own density and against Bayes' rule computed
/// by quadrature. Exact checks: relative tolerance 1e-9 (1e-8 for the finite-difference score,
/// whose O(h⁴) truncation and rounding sit near 1e-10).
@Suite struct GaussianMixtureTests {
    static let mixture = GaussianMixture(
        weights: [0.2, 0.5, 0.3],
        components: [Gaussian(mean: -2, variance: 0.3), Gaussian(mean: 0.5, variance: 1.2), Gaussian(mean: 3, variance: 0.1)])

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    static func integral(_ f: (Double) -> Double) throws -> Double {
        try Quadrature.integrate(from: -.infinity, to: .infinity, center: 0.5, f).value
    }

    @Test func densityIntegratesToOneAndMomentsMatchQuadrature() throws {
        let m = Self.mixture
        #expect(Self.close(try Self.integral(m.density), 1))
        #expect(Self.close(try Self.integral { $0 * m.density($0) }, m.mean))
        for n in 2...4 {
            let central = try Self.integral { x in
                var power = 1.0
                for _ in 0..<n { power *= x - m.mean }
                return power * m.density(x)
            }
            #expect(Self.close(central, m.centralMoment(n)), "central moment \(n)")
        }
    }

    @Test("the score is the derivative of log p", arguments: [-3.0, -0.7, 0.5, 2.2, 9])
    func scoreIsTheLogDensitySlope(x: Double) throws {
        let m = Self.mixture, h = 1e-3
        let slope = (8 * (m.logDensity(x + h) - m.logDensity(x - h)) - (m.logDensity(x + 2 * h) - m.logDensity(x - 2 * h))) / (12 * h)
        #expect(Self.close(m.score(x), slope, 1e-8))
        #expect(Self.close(m.cdf(x), try Quadrature.integrate(from: -.infinity, to: x, center: min(x, 0.5), m.density).value))
    }

    @Test func oneComponentIsItsGaussian() {
        let g = Gaussian(mean: 0.7, variance: 0.4)
        let m = GaussianMixture(weights: [1], components: [g])
        for x in [-1.0, 0.7, 2.5] {
            #expect(Self.close(m.score(x), -(x - g.mean) / g.variance, 1e-15))
            #expect(Self.close(m.logDensity(x), g.logDensity(x), 1e-15))
        }
        #expect(abs(m.skewness) < 1e-15 && abs(m.excessKurtosis) < 1e-14)
    }

    /// X given Y = y for Y = aX + N(0, v): the posterior's density, mean and variance by
    /// quadrature of p(x)·N(y; ax, v).
    @Test("conditioning is Bayes' rule", arguments: [(0.8, 0.3, 1.1), (1.0, 0.01, -1.9), (0.05, 2.0, 0.4)])
    func conditioningIsBayes(a: Double, v: Double, y: Double) throws {
        let m = Self.mixture
        let posterior = m.conditioned(onObservation: y, scale: a, noiseVariance: v)
        let joint = { (x: Double) in m.density(x) * Gaussian(mean: a * x, variance: v).density(y) }
        let evidence = try Self.integral(joint)
        let mean = try Self.integral { $0 * joint($0) } / evidence
        let variance = try Self.integral { ($0 - mean) * ($0 - mean) * joint($0) } / evidence
        #expect(Self.close(posterior.mean, mean))
        #expect(Self.close(posterior.variance, variance))
        #expect(Self.close(posterior.density(0.3), joint(0.3) / evidence))
    }

    @Test func scaledAndAffineMoveMeanAndVariance() {
        let m = Self.mixture
        let pushed = m.affine(scale: 0.6, shift: -0.2, addingVariance: 0.5)
        #expect(Self.close(pushed.mean, 0.6 * m.mean - 0.2, 1e-14))
        #expect(Self.close(pushed.variance, 0.36 * m.variance + 0.5, 1e-14))
        #expect(m.scaled(by: 0.6, addingVariance: 0.5) == m.affine(scale: 0.6, shift: 0, addingVariance: 0.5))
    }
}
