/// What a sampler steps: one scaled sample x (a number in the math checks, a tensor in a
/// model). Every solver step is a linear combination of samples and denoised estimates
/// with coefficients computed in Double from the σ levels, so the same solver code
/// serves the exact Double checks and a Float32 model.
public protocol SamplerState: Sendable {
    /// Σ cᵢ·vᵢ over the given terms (at least one).
    static func combination(_ terms: [(Double, Self)]) -> Self
}

extension Double: SamplerState {
    public static func combination(_ terms: [(Double, Double)]) -> Double {
        terms.reduce(0) { $0 + $1.0 * $1.1 }
    }
}

extension Array: SamplerState where Element == Double {
    public static func combination(_ terms: [(Double, [Double])]) -> [Double] {
        guard let first = terms.first else { return [] }
        var result = first.1.map { first.0 * $0 }
        for (c, v) in terms.dropFirst() {
            precondition(v.count == result.count, "a combination of samples of different sizes")
            for i in result.indices { result[i] += c * v[i] }
        }
        return result
    }
}

/// A denoiser D(x; σ) ≈ E[x₀ | x]: the data prediction at noise level σ > 0, from which
/// every sampler here steps (an ε-prediction ε̂ gives D = x − σ ε̂).
public typealias Denoiser<State: SamplerState> = (State, Double) throws -> State
