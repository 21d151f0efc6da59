/// Element-wise functions written as straight-line arithmetic, so that the loops calling
/// them vectorize (a call to libm's `expf` would keep every loop scalar).
public enum FastMath {
    /// eˣ in Float32 to within 2 ulp on [−87, 88] (tested against Double `exp`): x = n·ln2 + r
    /// with |r| ≤ ln2/2 (Cody–Waite, ln2 split in two parts), a degree-7 Taylor polynomial
    /// for eʳ in fused multiply-adds, and 2ⁿ built from its exponent bits. Inputs are
    /// clamped to [−87.3, 88.3], so the result is finite and > 0 (below e⁻⁸⁷ it is a tiny
    /// normal number, not 0).
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.3), 88.3)
        // Round x·log₂e to the nearest integer with the 1.5·2²³ trick (no conversions that trap).
        let shifter: Float = 12_582_912
        let shifted = shifter.addingProduct(clamped, 1.442_695_04)
        let n = shifted - shifter
        let r = clamped.addingProduct(n, -0.693_145_75).addingProduct(n, -1.428_606_8e-6)
        // Horner's steps as fused multiply-adds: Swift does not contract p·r + c by itself,
        // and a separate multiply and add double the chain's latency (exp ran 1.65× slower).
        var p: Float = 1.0 / 5040
        p = Float(1.0 / 720).addingProduct(p, r)
        p = Float(1.0 / 120).addingProduct(p, r)
        p = Float(1.0 / 24).addingProduct(p, r)
        p = Float(1.0 / 6).addingProduct(p, r)
        p = Float(0.5).addingProduct(p, r)
        p = Float(1).addingProduct(p, r)
        p = Float(1).addingProduct(p, r)
        // 2ⁿ: n sits in the low mantissa bits of `shifted`; move it into the exponent.
        let exponent = (shifted.bitPattern &- shifter.bitPattern &+ 127) &<< 23
        return p * Float(bitPattern: exponent)
    }

    /// The standard normal CDF Φ(x) = ½·erfc(−x/√2), for GELU. For z = |x|/√2 ≥ 0,
    /// erfc(z) ≈ t·exp(−z² + P(t)) with t = 1/(1 + z/2) and P the degree-9 polynomial fitted
    /// by Press et al. (Numerical Recipes, 2nd ed., §6.2, `erfcc`; fractional error below
    /// 1.2·10⁻⁷ for every z). The lower tail Φ(−|x|) = ½·erfc(z) keeps that relative accuracy
    /// far out (no 1 − erf cancellation), and Φ(|x|) = 1 − Φ(−|x|). In Float32 the rounding of
    /// z² adds a relative error of about z²·2⁻²³ to the tail. Straight-line arithmetic, so
    /// the loops calling it vectorize (libm's `erff` is a call per element).
    @inlinable @inline(__always)
    public static func normalCDF(_ x: Float) -> Float {
        let z = Swift.abs(x) * 0.707_106_78
        let t = 1 / (1 + 0.5 * z)
        var p: Float = 0.170_872_77
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let lowerTail = 0.5 * t * exp(p - z * z)
        return x < 0 ? lowerTail : 1 - lowerTail
    }

    /// The logistic function σ(x) = 1/(1 + e⁻ˣ).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }
}
