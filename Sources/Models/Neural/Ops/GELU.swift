/// GELU, exact form: y = x·Φ(x) with Φ the standard normal CDF, Φ(x) = ½(1 + erf(x/√2))
/// (Hendrycks & Gimpel 2016). Backward: ∂y/∂x = Φ(x) + x·φ(x), φ the normal density.
/// Large tensors are split over the threads (`Parts.elements`).
extension Tape {
    public func gelu(_ x: Variable) -> Variable {
        let input = value(x)
        let output = scratch(input.shape)
        Parts.elements(input.count) { range in
            let source = input.pointer, target = output.pointer
            for index in range { target[index] = Self.geluValue(source[index]) }
        }
        return record(output) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            Parts.elements(input.count) { range in
                let source = input.pointer, upstream = dy.pointer, target = dx.pointer
                for index in range { target[index] += upstream[index] * Self.geluDerivative(source[index]) }
            }
        }
    }

    /// GELU(x) = x·Φ(x).
    @inline(__always)
    static func geluValue(_ x: Float) -> Float { x * normalCDF(x) }

    /// GELU′(x) = Φ(x) + x·φ(x).
    @inline(__always)
    static func geluDerivative(_ x: Float) -> Float { normalCDF(x) + x * normalDensity(x) }

    /// Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF (`FastMath.normalCDF`).
    @inline(__always)
    static func normalCDF(_ x: Float) -> Float { FastMath.normalCDF(x) }

    /// φ(x) = exp(−x²/2)/√(2π), the standard normal density (Φ′).
    @inline(__always)
    static func normalDensity(_ x: Float) -> Float {
        FastMath.exp(-0.5 * x * x) * 0.398_942_28
    }
}
