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
