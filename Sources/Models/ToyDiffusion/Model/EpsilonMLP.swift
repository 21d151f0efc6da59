import Neural
import Stochastic

/// The toy denoiser ε_θ(xₜ, t): input [x, y, temb(t)] → 128 → 128 → 128 → 2 with SiLU
/// between the layers (41,858 parameters), where temb is the 64-dimensional sinusoidal
/// embedding of the integer index t − 1 ∈ 0…T−1 (diffusion step t = 1…T).
/// It predicts the noise ε of xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε (DDPM eq. 14's ε-parameterization).
public final class EpsilonMLP {
    public static let embeddingDimensions = 64
    public static let width = 128

    public let layers: [Linear]
    public let embedding: SinusoidalEmbedding

    /// Weights initialized as PyTorch does (U(±1/√fan_in)) from `seed`.
    public init(steps: Int = 1000, seed: UInt64) {
        var stream = RandomStream(seed: seed, stream: 0x4D4C_5000)
        let sizes = [2 + Self.embeddingDimensions, Self.width, Self.width, Self.width, 2]
        layers = (0..<4).map { Linear(name: "layers.\($0)", inputs: sizes[$0], outputs: sizes[$0 + 1], stream: &stream) }
        embedding = SinusoidalEmbedding(dimensions: Self.embeddingDimensions, steps: steps)
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// 41,858 for the reference model.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Records ε_θ on the tape for n points (`points`, [n, 2]) at model indices
    /// `indices[i]` = tᵢ − 1; returns the [n, 2] prediction.
    public func callAsFunction(_ points: UnsafePointer<Float>, indices: [Int], on tape: Tape) -> Variable {
        let rows = indices.count, features = 2 + Self.embeddingDimensions
        let input = tape.input(shape: [rows, features]) { target in
            for row in 0..<rows {
                let base = target + row * features
                base[0] = points[2 * row]
                base[1] = points[2 * row + 1]
                embedding.write(indices[row], to: base + 2)
            }
        }
        var h = input
        for (index, layer) in layers.enumerated() {
            h = layer(h, on: tape)
            if index < layers.count - 1 { h = tape.silu(h) }
        }
        return h
    }
}
