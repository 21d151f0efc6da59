/// GELU, exact form: y = x·Φ(x) with Φ the standard normal CDF, Φ(x) = ½(1 + erf(x/√2))
/// (Hendrycks & Gimpel 2016). Backward: ∂y/∂x = Φ(x) + x·φ(x), φ the normal density.
extension Tape {
    public func gelu(_ x: Variable) -> Variable {
        let input = value(x), count = input.count
        let output = scratch(input.shape)
        let source = input.pointer, target = output.pointer
        for index in 0..<count {
            target[index] = Self.geluValue(source[index])
        }
        return record(output) { tape, dy in
            let dx = tape.gradientToAccumulate(x).pointer, upstream = dy.pointer
            for index in 0..<count {
                dx[index] += upstream[index] * Self.geluDerivative(source[index])
            }
        }
    }

    /// GELU(x) = x·Φ(x).
    static func geluValue(_ x: Float) -> Float { x * normalCDF(x) }

    /// GELU′(x) = Φ(x) + x·φ(x).
    static func geluDerivative(_ x: Float) -> Float { normalCDF(x) + x * normalDensity(x) }

    /// Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF (`FastMath.normalCDF`).
    static func normalCDF(_ x: Float) -> Float { FastMath.normalCDF(x) }

    /// φ(x) = exp(−x²/2)/√(2π), the standard normal density (Φ′).
    static func normalDensity(_ x: Float) -> Float {
        FastMath.exp(-0.5 * x * x) * 0.398_942_28
    }
}
