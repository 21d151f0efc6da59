import Foundation

extension StepContext {
    /// The intermediate points u₁ (and u₂) a singlestep DPM-Solver step evaluates the model at,
    /// and x̂₀, ε̂₀ at x — with the stage outputs read at the points the code recorded when it
    /// did (that is what its model saw). Nil off the levels; no stages at σ' = 0.
    ///
    /// Lu et al. (2022, Algorithms 1–2, noise prediction) on the scaled sample x = x₀ + σε,
    /// in λ = −log σ with h = λ' − λ: stage k sits at λ + rₖh, i.e. sₖ = e^{−(λ + rₖh)}
    /// (r = ½ for order 2; ⅓, ⅔ for order 3), with ε̂(u, s) = (u − x̂₀(u, s))/s and
    /// - u₁ = x − s₁(e^{r₁h} − 1)ε̂₀,
    /// - u₂ = x − s₂(e^{r₂h} − 1)ε̂₀ − s₂(r₂/r₁)((e^{r₂h} − 1)/(r₂h) − 1)(ε̂(u₁, s₁) − ε̂₀).
    /// The levels are formed from λ as k-diffusion's `DPMSolver` forms them; the bound of that
    /// form also covers σ·e^{−rₖh} computed directly.
    func singleStepStages(_ record: StepRecord, rule: StepRule, order: Int)
        -> (x0: [B], epsilon: [B], levels: [B], stages: [[B]], stageEpsilons: [[B]])?
    {
        guard let sigmas, let i = record.index, i + 1 < sigmas.count else { return nil }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        let first = record.sample.indices.map { j in slope(output: record.modelOutput[j], at: B.exact(record.sample[j]), sigma: sigma, rule: rule) }
        let (x0, e0) = (first.map(\.x0), first.map(\.slope))
        guard next.value > 0 else { return (x0, e0, [], [], []) }
        let lambda = B(0) - B.log(sigma)
        let sign = B(rule.slips.contains(.dtReversed) ? -1 : 1)
        let h = sign * (B(0) - B.log(next) - lambda)
        let ratios = order == 2 ? [0.5] : [1.0 / 3, 2.0 / 3]
        let levels = ratios.map { r in
            rule.slips.contains(.linearStageLevels) ? sigma + B(r) * (next - sigma) : B.exp(B(0) - (lambda + B(r) * h))
        }
        var stages: [[B]] = []
        var stageEpsilons: [[B]] = []
        for (k, r) in ratios.enumerated() {
            let rh = B(r) * h
            let point = record.sample.indices.map { j -> B in
                var u = B.exact(record.sample[j]) - levels[k] * B.expm1(rh) * e0[j]
                if k == 1, !rule.slips.contains(.thirdWithoutCorrection) {
                    let phi = B.expm1(rh) / rh - B(1)
                    u = u - levels[k] * B(ratios[1] / ratios[0]) * phi * (stageEpsilons[0][j] - e0[j])
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
        return (x0, e0, levels, stages, stageEpsilons)
    }

    /// One singlestep DPM-Solver step (see `singleStepStages`): with φ(h) = (eʰ − 1)/h − 1,
    /// - order 2: x' = x − σ'(eʰ − 1)ε̂₀ − σ'/(2r₁)(eʰ − 1)(ε̂(u₁, s₁) − ε̂₀), Algorithm 1 as Lu et al.
    ///   write it (k-diffusion's `dpm_solver_2_step`); with r₁ = ½ it is x − σ'(eʰ − 1)ε̂(u₁, s₁),
    ///   whose terms are smaller, so the bound of the general form covers both;
    /// - order 3: x' = x − σ'(eʰ − 1)ε̂₀ − (σ'/r₂)φ(h)(ε̂(u₂, s₂) − ε̂₀);
    /// - σ' = 0: x' = x − σε̂₀ = x̂₀ (h → ∞; the corrections' weights vanish).
    func evaluateSingleStepDPM(_ record: StepRecord, rule: StepRule, order: Int) -> (x0: [B], previous: [B])? {
        guard let sigmas, let i = record.index, let parts = singleStepStages(record, rule: rule, order: order) else { return nil }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        guard next.value > 0 else {
            return (parts.x0, record.sample.indices.map { j in B.exact(record.sample[j]) - sigma * parts.epsilon[j] })
        }
        let sign = B(rule.slips.contains(.dtReversed) ? -1 : 1)
        let h = sign * (B(0) - B.log(next) + B.log(sigma))
        let full = next * B.expm1(h)
        let previous = record.sample.indices.map { j -> B in
            let x = B.exact(record.sample[j])
            if rule.slips.contains(.firstOrderOnly) { return x - full * parts.epsilon[j] }
            if order == 2 { return x - full * parts.epsilon[j] - full * (parts.stageEpsilons[0][j] - parts.epsilon[j]) }
            let phi = B.expm1(h) / h - B(1)
            return x - full * parts.epsilon[j] - next / B(2.0 / 3) * phi * (parts.stageEpsilons[1][j] - parts.epsilon[j])
        }
        return (parts.x0, previous)
    }
}
