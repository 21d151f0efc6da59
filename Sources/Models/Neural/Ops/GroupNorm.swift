/// Group normalization (Wu & He 2018): x [B, C, …spatial] with C split into G groups of
/// C/G consecutive channels; each (sample, group) is normalised over its m = (C/G)·S
/// values (S the spatial size) with the biased variance, then scaled and shifted per
/// channel: x̂ = (x − μ)/√(σ² + ε), y[b, c, s] = γ[c]·x̂ + β[c].
/// Backward, with g = γ[c]·∂L/∂y and means taken over the m values of the group:
///   ∂L/∂x = (1/√(σ² + ε))·(g − mean(g) − x̂·mean(g·x̂)),
///   ∂L/∂γ[c] += Σ_{b,s} ∂L/∂y·x̂,  ∂L/∂β[c] += Σ_{b,s} ∂L/∂y.
/// (The mean(g) term is μ's dependence on x, the x̂·mean(g·x̂) term σ²'s.)
extension Tape {
    public func groupNorm(_ x: Variable, groups: Int, gamma: Variable, beta: Variable, epsilon: Float = 1e-5) -> Variable {
        let input = value(x), scale = value(gamma), shift = value(beta)
        precondition(input.shape.count >= 2, "groupNorm: x \(input.shape) must be [B, C, …]")
        let batch = input.shape[0], channels = input.shape[1]
        precondition(groups >= 1 && channels % groups == 0, "groupNorm: \(channels) channels do not split into \(groups) groups")
        precondition(scale.count == channels && shift.count == channels, "groupNorm: γ \(scale.shape), β \(shift.shape) for \(channels) channels")
        let spatial = channels == 0 || batch == 0 ? 0 : input.count / (batch * channels)
        let perGroup = channels / groups, groupSize = perGroup * spatial
        precondition(groupSize > 0, "groupNorm: empty groups in \(input.shape)")

        let output = scratch(input.shape)
        // (μ, 1/√(σ² + ε)) of each (sample, group), kept for backward.
        let statistics = scratch([batch, groups, 2])
        // The (sample, group) pairs are independent: split over the threads.
        Parts.run(batch * groups, work: input.count) { pairs in
            let source = input.pointer, target = output.pointer, stats = statistics.pointer
            for pair in pairs {
                let b = pair / groups, group = pair % groups
                let start = (b * channels + group * perGroup) * spatial
                let (mean, inverse) = NormalizationSums.statistics(source + start, count: groupSize, epsilon: epsilon)
                stats[pair * 2] = mean
                stats[pair * 2 + 1] = inverse
                for c in group * perGroup..<(group + 1) * perGroup {
                    // y = a·x + d with a = γ/σ̂, d = β − μ·a.
                    let a = scale.pointer[c] * inverse, d = shift.pointer[c] - mean * a
                    let x = source + (b * channels + c) * spatial, y = target + (b * channels + c) * spatial
                    for s in 0..<spatial { y[s] = a * x[s] + d }
                }
            }
        }

        return record(output, extras: [statistics]) { tape, dy in
            let wantsInput = tape.needsGradient(x)
            let dgamma = tape.needsGradient(gamma) ? tape.gradientToAccumulate(gamma) : nil
            let dbeta = tape.needsGradient(beta) ? tape.gradientToAccumulate(beta) : nil
            let dx = wantsInput ? tape.gradientToAccumulate(x) : nil
            // Split over the groups, each still summing ∂L/∂γ, ∂L/∂β of its channels in batch order.
            Parts.run(groups, work: input.count) { part in
                let source = input.pointer, stats = statistics.pointer
                for group in part {
                    for b in 0..<batch {
                        let mean = stats[(b * groups + group) * 2], inverse = stats[(b * groups + group) * 2 + 1]
                        var meanG: Float = 0, meanGX: Float = 0  // Σ γ·dy and Σ γ·dy·x̂, divided by m below
                        for k in 0..<perGroup {
                            let c = group * perGroup + k, offset = (b * channels + c) * spatial
                            let (plain, centered) = NormalizationSums.upstream(dy.pointer + offset, source + offset, mean: mean, count: spatial)
                            dgamma?.pointer[c] += centered * inverse
                            dbeta?.pointer[c] += plain
                            meanG += scale.pointer[c] * plain
                            meanGX += scale.pointer[c] * centered * inverse
                        }
                        guard let dx else { continue }
                        meanG /= Float(groupSize)
                        meanGX /= Float(groupSize)
                        // ∂L/∂x = σ̂⁻¹·γ·dy − σ̂⁻¹·meanG − (x − μ)·σ̂⁻²·meanGX = a·dy + e·x + d.
                        let e = -inverse * inverse * meanGX
                        let d = -inverse * meanG - mean * e
                        for k in 0..<perGroup {
                            let c = group * perGroup + k, offset = (b * channels + c) * spatial
                            let a = inverse * scale.pointer[c]
                            let upstream = dy.pointer + offset, xs = source + offset, target = dx.pointer + offset
                            for s in 0..<spatial { target[s] += a * upstream[s] + e * xs[s] + d }
                        }
                    }
                }
            }
        }
    }
}
