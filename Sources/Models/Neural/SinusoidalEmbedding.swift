import Foundation

/// The sinusoidal embedding of an integer step t (Vaswani et al. 2017, as DDPM uses it):
/// e[i] = sin(t·fᵢ), e[h + i] = cos(t·fᵢ), fᵢ = exp(−ln(maxPeriod)·i/h), i = 0…h−1,
/// h = dimensions/2. A fixed function of t with no parameters, so not a tape operation:
/// its rows are looked up from a table computed once in Double.
public struct SinusoidalEmbedding: Sendable {
    public let dimensions: Int
    public let maxPeriod: Double
    public let steps: Int
    private let table: [Float]

    /// The table for t = 0…steps−1. `dimensions` must be even.
    public init(dimensions: Int, steps: Int, maxPeriod: Double = 10_000) {
        precondition(dimensions > 0 && dimensions % 2 == 0, "a sinusoidal embedding has an even number of dimensions")
        precondition(steps > 0, "the embedding table needs at least one step")
        self.dimensions = dimensions
        self.maxPeriod = maxPeriod
        self.steps = steps
        let half = dimensions / 2
        let frequencies = Self.frequencies(dimensions: dimensions, maxPeriod: maxPeriod)
        var table = [Float](repeating: 0, count: steps * dimensions)
        for t in 0..<steps {
            for i in 0..<half {
                let angle = Double(t) * frequencies[i]
                table[t * dimensions + i] = Float(Foundation.sin(angle))
                table[t * dimensions + half + i] = Float(Foundation.cos(angle))
            }
        }
        self.table = table
    }

    /// The frequencies fᵢ = exp(−ln(maxPeriod)·i/h) = maxPeriod^(−i/h), i = 0…h−1,
    /// h = dimensions/2, in Double: the one home of the formula, shared by the timestep
    /// embedding above and by any other number embedded the same way (SDXL's size and crop
    /// numbers).
    public static func frequencies(dimensions: Int, maxPeriod: Double = 10_000) -> [Double] {
        let half = dimensions / 2
        return (0..<half).map { Foundation.exp(-Foundation.log(maxPeriod) * Double($0) / Double(half)) }
    }

    /// Writes the embedding of step t (0 ≤ t < steps) at `target`.
    public func write(_ t: Int, to target: UnsafeMutablePointer<Float>) {
        precondition(t >= 0 && t < steps, "step \(t) outside the table 0…\(steps - 1)")
        table.withUnsafeBufferPointer { target.update(from: $0.baseAddress! + t * dimensions, count: dimensions) }
    }

    /// The embedding of step t as an array.
    public func embedding(_ t: Int) -> [Float] {
        Array(table[t * dimensions..<(t + 1) * dimensions])
    }
}

extension SinusoidalEmbedding {
    /// The embedding of a (possibly fractional) step t as diffusers' `get_timestep_embedding`
    /// computes it for a Float32 model: fᵢ = exp(−ln(maxPeriod)·i/(h − shift)), the row
    /// [sin(t·fᵢ) …, cos(t·fᵢ) …], or [cos …, sin …] when `flipSinToCos`, with an odd
    /// `dimensions` padded by one zero.
    ///
    /// The exponent, fᵢ and the angle t·fᵢ are each rounded to Float32 as PyTorch rounds them;
    /// only sin and cos are taken in Double. The rounding matters: at t ≈ 1000 one Float32
    /// ulp of the angle is ≈ 6·10⁻⁵ rad, which would otherwise dominate a 10⁻⁴ comparison of
    /// a U-Net's output with diffusers'.
    public static func float32Row(_ t: Float, dimensions: Int, flipSinToCos: Bool, shift: Double, maxPeriod: Double = 10_000) -> [Float] {
        let half = dimensions / 2
        let logPeriod = Float(-Foundation.log(maxPeriod))
        let divisor = Float(Double(half) - shift)
        var row = [Float](repeating: 0, count: dimensions)
        for i in 0..<half {
            let exponent = logPeriod * Float(i) / divisor
            let angle = Double(t * Float(Foundation.exp(Double(exponent))))
            let (sine, cosine) = (Float(Foundation.sin(angle)), Float(Foundation.cos(angle)))
            row[i] = flipSinToCos ? cosine : sine
            row[half + i] = flipSinToCos ? sine : cosine
        }
        return row
    }
}
