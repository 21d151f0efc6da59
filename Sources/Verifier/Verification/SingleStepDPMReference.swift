import Foundation
import ScoreODE

extension StepContext {
    /// The intermediate points u₁ (and u₂) a singlestep DPM-Solver step evaluates the model at,
    /// and x̂₀, ε̂₀ at x — with the stage outputs read at the points the code recorded when it
    /// did (that is what its model saw), and the step's weights. Nil off the levels; no stages
    /// and no weights at σ' = 0.
    ///
    /// The weights are `SingleStepDPMWeights` (Lu et al. 2022, Algorithms 1–2, noise
    /// prediction, on the scaled sample x = x₀ + σε), with h = λ' − λ in λ = −log σ and the
    /// stage levels sₖ = e^{−(λ + rₖh)} formed as k-diffusion's `DPMSolver` forms them (the
    /// bound of that form also covers σ·e^{−rₖh} computed directly); the planted mistakes
    /// change h's sign, the levels or the correction of u₂.
    func singleStepStages(_ record: StepRecord, rule: StepRule, order: Int)
        -> (x0: [B], epsilon: [B], weights: SingleStepDPMWeights<B>?, stages: [[B]], stageEpsilons: [[B]])?
    {
        guard let sigmas, let i = record.index, i + 1 < sigmas.count else { return nil }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        let first = record.sample.indices.map { j in slope(output: record.modelOutput[j], at: B.exact(record.sample[j]), sigma: sigma, rule: rule) }
        let (x0, e0) = (first.map(\.x0), first.map(\.slope))
        guard next.value > 0 else { return (x0, e0, nil, [], []) }
        let lambda = B(0) - B.log(sigma)
        let sign = B(rule.slips.contains(.dtReversed) ? -1 : 1)
        let h = sign * (B(0) - B.log(next) - lambda)
        let ratios = order == 2 ? [0.5] : [1.0 / 3, 2.0 / 3]
        let levels = ratios.map { r in
            rule.slips.contains(.linearStageLevels) ? sigma + B(r) * (next - sigma) : B.exp(B(0) - (lambda + B(r) * h))
        }
        let weights = SingleStepDPMWeights(sigma: sigma, next: next, h: h, order: order, levels: levels)
        var stages: [[B]] = []
        var stageEpsilons: [[B]] = []
        for k in ratios.indices {
            let point = record.sample.indices.map { j -> B in
                var u = B.exact(record.sample[j]) - weights.stageShifts[k] * e0[j]
                if k == 1, !rule.slips.contains(.thirdWithoutCorrection), let correction = weights.stageCorrection {
                    u = u - correction * (stageEpsilons[0][j] - e0[j])
                }
                return u
            }
            stages.append(point)
            let outputs = record.stages?.indices.contains(k) == true ? record.stages![k].modelOutput : nil
            let seen = record.stages?.indices.contains(k) == true ? record.stages![k].sample?.map(B.exact) : nil
            let level = rule.slips.contains(.stageAtSigma) ? sigma : levels[k]
            stageEpsilons.append(record.sample.indices.map { j in
                guard let outputs, outputs.indices.contains(j) else { return .unknown }
                return slope(output: outputs[j], at: seen?[j] ?? point[j], sigma: level, rule: rule).slope
            })
        }
        return (x0, e0, weights, stages, stageEpsilons)
    }

    /// One singlestep DPM-Solver step with the weights of `singleStepStages`:
    /// x' = x − σ'(eʰ − 1)ε̂₀ − c·(ε̂(u, s) − ε̂₀) at the last stage, c = σ'(eʰ − 1) at order 2
    /// (Algorithm 1 as Lu et al. write it, k-diffusion's `dpm_solver_2_step`; at r₁ = ½ it is
    /// x − σ'(eʰ − 1)ε̂(u₁, s₁), whose terms are smaller, so the bound of this form covers both)
    /// and (σ'/r₂)φ(h) at order 3; at σ' = 0, x' = x − σε̂₀ = x̂₀ (h → ∞).
    func evaluateSingleStepDPM(_ record: StepRecord, rule: StepRule, order: Int) -> (x0: [B], previous: [B])? {
        guard let sigmas, let i = record.index, let parts = singleStepStages(record, rule: rule, order: order) else { return nil }
        guard let weights = parts.weights else {
            return (parts.x0, record.sample.indices.map { j in B.exact(record.sample[j]) - sigmas[i] * parts.epsilon[j] })
        }
        let last = order - 2
        let previous = record.sample.indices.map { j -> B in
            let x = B.exact(record.sample[j])
            if rule.slips.contains(.firstOrderOnly) { return x - weights.full * parts.epsilon[j] }
            return x - weights.full * parts.epsilon[j] - weights.correction * (parts.stageEpsilons[last][j] - parts.epsilon[j])
        }
        return (parts.x0, previous)
    }
}
