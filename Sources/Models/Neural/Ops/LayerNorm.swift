/// Layer normalization (Ba, Kiros & Hinton 2016) over the last dimension: x [..., D], each
/// row of D values normalised with its biased variance, then scaled and shifted per
/// feature: x̂ = (x − μ)/√(σ² + ε), y[r, d] = γ[d]·x̂[r, d] + β[d].
/// Backward, with g = γ[d]·∂L/∂y and means over the D values of the row:
///   ∂L/∂x = (1/√(σ² + ε))·(g − mean(g) − x̂·mean(g·x̂)),
///   ∂L/∂γ[d] += Σ_rows ∂L/∂y·x̂,  ∂L/∂β[d] += Σ_rows ∂L/∂y.
extension Tape {
    public func layerNorm(_ x: Variable, gamma: Variable, beta: Variable, epsilon: Float = 1e-5) -> Variable {
        let input = value(x), scale = value(gamma), shift = value(beta)
        let features = input.shape.last ?? 0
        precondition(features > 0, "layerNorm: x \(input.shape) has no last dimension to normalise")
        precondition(scale.count == features && shift.count == features, "layerNorm: γ \(scale.shape), β \(shift.shape) for \(features) features")
        let rows = input.count / features

        let output = scratch(input.shape)
        let statistics = scratch([rows, 2])  // (μ, 1/√(σ² + ε)) per row
        let source = input.pointer, target = output.pointer, stats = statistics.pointer
        let gammas = scale.pointer, betas = shift.pointer
        for row in 0..<rows {
            let x = source + row * features, y = target + row * features
            let (mean, inverse) = NormalizationSums.statistics(x, count: features, epsilon: epsilon)
            stats[2 * row] = mean
            stats[2 * row + 1] = inverse
            for d in 0..<features { y[d] = gammas[d] * ((x[d] - mean) * inverse) + betas[d] }
        }

        return record(output, extras: [statistics]) { tape, dy in
            let dx = tape.needsGradient(x) ? tape.gradientToAccumulate(x).pointer : nil
            let dgamma = tape.needsGradient(gamma) ? tape.gradientToAccumulate(gamma).pointer : nil
            let dbeta = tape.needsGradient(beta) ? tape.gradientToAccumulate(beta).pointer : nil
            let count = Float(features)
            for row in 0..<rows {
                let mean = stats[2 * row], inverse = stats[2 * row + 1]
                let xs = source + row * features, upstream = dy.pointer + row * features
                if let dgamma {
                    for d in 0..<features { dgamma[d] += upstream[d] * ((xs[d] - mean) * inverse) }
                }
                if let dbeta {
                    for d in 0..<features { dbeta[d] += upstream[d] }
                }
                guard let dx else { continue }
                let (plain, centered) = NormalizationSums.weightedUpstream(upstream, xs, gamma: gammas, mean: mean, count: features)
                let meanG = plain / count, meanGX = centered * inverse / count
                // ∂L/∂x = σ̂⁻¹·(γ·dy − meanG − x̂·meanGX)
                let target = dx + row * features
                for d in 0..<features {
                    target[d] += inverse * (gammas[d] * upstream[d] - meanG - (xs[d] - mean) * inverse * meanGX)
                }
            }
        }
    }
}
