import Foundation

/// GELU, exact form: y = x·Φ(x) with Φ the standard normal CDF, Φ(x) = ½(1 + erf(x/√2))
/// (Hendrycks & Gimpel 2016). Backward: ∂y/∂x = Φ(x) + x·φ(x), φ the normal density.
extension Tape {
    public func gelu(_ x: Variable) -> Variable {
        let input = value(x), count = input.count
        let output = scratch(input.shape)
        let source = input.pointer, target = output.pointer
        for index in 0..<count {
            target[index] = source[index] * Self.normalCDF(source[index])
        }
        return record(output) { tape, dy in
            let dx = tape.gradientToAccumulate(x).pointer, upstream = dy.pointer
            for index in 0..<count {
                let v = source[index]
                let density = Foundation.exp(-0.5 * v * v) * 0.398_942_28  // 1/√(2π)
                dx[index] += upstream[index] * (Self.normalCDF(v) + v * density)
            }
        }
    }

    static func normalCDF(_ x: Float) -> Float {
        0.5 * (1 + Foundation.erf(x * 0.707_106_78))
    }
}
