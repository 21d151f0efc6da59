/// Element-wise functions written as straight-line arithmetic, so that the loops calling
/// them vectorize (a call to libm's `expf` would keep every loop scalar).
public enum FastMath {
    /// eˣ in Float32 to within 2 ulp on [−87, 88] (tested against Double `exp`): x = n·ln2 + r
    /// with |r| ≤ ln2/2 (Cody–Waite, ln2 split in two parts), a degree-7 Taylor polynomial
    /// for eʳ, and 2ⁿ built from its exponent bits. Inputs are clamped to [−87.3, 88.3],
    /// so the result is finite and > 0 (below e⁻⁸⁷ it is a tiny normal number, not 0).
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.3), 88.3)
        // Round x·log₂e to the nearest integer with the 1.5·2²³ trick (no conversions that trap).
        let shifter: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = (clamped - n * 0.693_145_75) - n * 1.428_606_8e-6
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2ⁿ: n sits in the low mantissa bits of `shifted`; move it into the exponent.
        let exponent = (shifted.bitPattern &- shifter.bitPattern &+ 127) &<< 23
        return p * Float(bitPattern: exponent)
    }

    /// The logistic function σ(x) = 1/(1 + e⁻ˣ).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }
}
