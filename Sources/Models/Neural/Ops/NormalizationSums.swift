/// The reductions `groupNorm` and `layerNorm` share, written over SIMD8 lanes: the compiler
/// does not reorder a scalar floating-point sum, so a plain loop would stay scalar.
enum NormalizationSums {
    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>, _ index: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + index).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// (mean, 1/√(variance + ε)) of n values, the biased variance Σ(x − μ)²/n taken in a
    /// second pass around the mean (no cancellation from E[x²] − μ²).
    static func statistics(_ x: UnsafePointer<Float>, count n: Int, epsilon: Float) -> (mean: Float, inverseDeviation: Float) {
        var lanes = SIMD8<Float>(repeating: 0), index = 0
        while index + 8 <= n { lanes += load(x, index); index += 8 }
        var total = lanes.sum()
        while index < n { total += x[index]; index += 1 }
        let mean = total / Float(n)

        let center = SIMD8<Float>(repeating: mean)
        var squares = SIMD8<Float>(repeating: 0)
        index = 0
        while index + 8 <= n {
            let d = load(x, index) - center
            squares += d * d
            index += 8
        }
        var deviation = squares.sum()
        while index < n { let d = x[index] - mean; deviation += d * d; index += 1 }
        return (mean, 1 / (deviation / Float(n) + epsilon).squareRoot())
    }

    /// (Σ dy, Σ dy·(x − μ)) over n values.
    static func upstream(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: Float, count n: Int) -> (plain: Float, centered: Float) {
        let center = SIMD8<Float>(repeating: mean)
        var plain = SIMD8<Float>(repeating: 0), centered = SIMD8<Float>(repeating: 0), index = 0
        while index + 8 <= n {
            let g = load(dy, index)
            plain += g
            centered += g * (load(x, index) - center)
            index += 8
        }
        var p = plain.sum(), c = centered.sum()
        while index < n { p += dy[index]; c += dy[index] * (x[index] - mean); index += 1 }
        return (p, c)
    }

    /// (Σ γ·dy, Σ γ·dy·(x − μ)) over n values with a per-element γ.
    static func weightedUpstream(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, mean: Float, count n: Int) -> (plain: Float, centered: Float) {
        let center = SIMD8<Float>(repeating: mean)
        var plain = SIMD8<Float>(repeating: 0), centered = SIMD8<Float>(repeating: 0), index = 0
        while index + 8 <= n {
            let g = load(dy, index) * load(gamma, index)
            plain += g
            centered += g * (load(x, index) - center)
            index += 8
        }
        var p = plain.sum(), c = centered.sum()
        while index < n {
            let g = dy[index] * gamma[index]
            p += g; c += g * (x[index] - mean); index += 1
        }
        return (p, c)
    }
}
