import Foundation
import Testing
@testable import Neural

@Suite struct FastMathTests {
    /// Distance in units in the last place between a Float and the correctly rounded value.
    static func ulps(_ x: Float, _ exact: Double) -> Double {
        abs(Double(x) - exact) / Double(Float(exact).ulp)
    }

    @Test func expIsWithinTwoUlpsAcrossItsRange() {
        var worst = 0.0
        var x: Float = -87
        while x <= 88 {
            worst = max(worst, Self.ulps(FastMath.exp(x), Foundation.exp(Double(x))))
            x += 0.001_37
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
    }

    @Test func expIsFiniteAndPositiveBeyondItsRange() {
        for x: Float in [-1000, -100, -87.5, 88.5, 100, 1000] {
            let value = FastMath.exp(x)
            #expect(value.isFinite && value > 0, "exp(\(x)) = \(value)")
        }
        #expect(FastMath.sigmoid(-1000) >= 0 && FastMath.sigmoid(-1000) < 1e-37)
        #expect(FastMath.sigmoid(1000) == 1)
    }

    /// Worst errors of an approximation of Φ against Double `erfc` on x ∈ [−12, 12] (step
    /// 0.00037, 64,865 points): the absolute error, and in the lower tail (x < 0) the
    /// relative error divided by 1 + z², z = |x|/√2 (the rounding of z² grows with it).
    static func normalCDFErrors(_ cdf: (Float) -> Float) -> (absolute: Double, tailRelative: Double) {
        var absolute = 0.0, tailRelative = 0.0
        var x: Float = -12
        while x <= 12 {
            let exact = 0.5 * Foundation.erfc(-Double(x) / 2.0.squareRoot())
            let error = abs(Double(cdf(x)) - exact)
            absolute = max(absolute, error)
            if x < 0 { tailRelative = max(tailRelative, error / exact / (1 + Double(x * x) / 2)) }
            x += 0.000_37
        }
        return (absolute, tailRelative)
    }

    /// Bounds from the sources of error: the fit (1.2·10⁻⁷ < 2⁻²³), exp (2 ulp ≤ 2·2⁻²³
    /// relative) and the other roundings (about 2⁻²³) give 4·2⁻²³ relative in the tail, which
    /// the rounding of z² multiplies by up to 1 + z²; near 1 the absolute error is then at
    /// most 4·2⁻²³·Φ(−|x|)·(1 + z²) ≤ 2·2⁻²³ plus the rounding of 1 − tail (2⁻²⁴).
    static let cdfTailBound = 4 * 0x1p-23, cdfAbsoluteBound = 2.5 * 0x1p-23

    @Test func normalCDFIsAccurateInBothTails() {
        let errors = Self.normalCDFErrors(FastMath.normalCDF)
        #expect(errors.absolute <= Self.cdfAbsoluteBound, "\(errors)")
        #expect(errors.tailRelative <= Self.cdfTailBound, "\(errors)")
        #expect(FastMath.normalCDF(0) == 0.5 && FastMath.normalCDF(-20) >= 0 && FastMath.normalCDF(20) == 1)
    }

    /// The check can fail: Abramowitz & Stegun 7.1.26 (erf to an absolute 1.5·10⁻⁷) is close
    /// in absolute terms but has no relative accuracy in the lower tail.
    @Test func anAbsoluteOnlyErfWouldFail() {
        func abramowitzStegun(_ x: Float) -> Float {
            let z = abs(x) * 0.707_106_78, t = 1 / (1 + 0.327_591_1 * z)
            let p = t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))))
            let lowerTail = 0.5 * p * FastMath.exp(-z * z)
            return x < 0 ? lowerTail : 1 - lowerTail
        }
        let errors = Self.normalCDFErrors(abramowitzStegun)
        #expect(errors.tailRelative > 10 * Self.cdfTailBound, "\(errors)")
    }

    /// The test above can fail: a degree-4 polynomial (one fewer term than needed) misses 2 ulp.
    @Test func aShorterPolynomialWouldFail() {
        func shortExp(_ x: Float) -> Float {
            let shifter: Float = 12_582_912
            let shifted = x * 1.442_695_04 + shifter
            let n = shifted - shifter
            let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6
            let p = 1 + r * (1 + r * (0.5 + r * (1.0 / 6 + r / 24)))
            return p * Float(bitPattern: (shifted.bitPattern &- shifter.bitPattern &+ 127) &<< 23)
        }
        var worst = 0.0
        var x: Float = -10
        while x <= 10 {
            worst = max(worst, Self.ulps(shortExp(x), Foundation.exp(Double(x))))
            x += 0.0137
        }
        #expect(worst > 2)
    }
}
