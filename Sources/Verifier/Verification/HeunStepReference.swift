import ScoreODE

extension StepContext {
    /// Euler's predictor x̃ = x + (σ' − σ)·d of a Heun step.
    func heunPredictor(_ record: StepRecord, rule: StepRule) -> [B]? {
        guard let sigmas, let i = record.index, i + 1 < sigmas.count else { return nil }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        let dt = rule.slips.contains(.dtReversed) ? sigma - next : next - sigma
        return record.sample.indices.map { j in
            let x = B.exact(record.sample[j])
            return SigmaSpace.eulerMove(x: x, slope: slope(output: record.modelOutput[j], at: x, sigma: sigma, rule: rule).slope, by: dt)
        }
    }

    /// One step of Heun's method on the probability-flow ODE (Karras et al. 2022, Algorithm 1
    /// without churn) from σ = σᵢ to σ' = σᵢ₊₁: the Euler predictor x̃ = x + (σ' − σ)·d, the
    /// slope d' = (x̃ − x̂₀')/σ' there (x̂₀' from the second model output, at the predictor the
    /// code recorded when it did: that is what its model saw), then
    /// x' = x + (σ' − σ)·(d + d')/2. At σ' = 0 the step is Euler's (d' would divide by 0).
    func evaluateHeunStep(_ record: StepRecord, rule: StepRule) -> (x0: [B], previous: [B])? {
        guard let sigmas, let i = record.index, i + 1 < sigmas.count, let predictor = heunPredictor(record, rule: rule) else { return nil }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        let dt = rule.slips.contains(.dtReversed) ? sigma - next : next - sigma
        var x0: [B] = []
        var previous: [B] = []
        for j in record.sample.indices {
            let x = B.exact(record.sample[j])
            let first = slope(output: record.modelOutput[j], at: x, sigma: sigma, rule: rule)
            x0.append(first.x0)
            guard next.value != 0, !rule.slips.contains(.noCorrection) else {
                previous.append(predictor[j])
                continue
            }
            guard let second = record.modelOutput2?[j] else {
                previous.append(.unknown)
                continue
            }
            let seen = record.predictorSample.map { B.exact($0[j]) } ?? predictor[j]
            let level = rule.slips.contains(.slopeAtCurrentLevel) ? sigma : next
            let corrected = slope(output: second, at: seen, sigma: level, rule: rule).slope
            if rule.slips.contains(.secondSlopeOnly) {
                previous.append(SigmaSpace.eulerMove(x: x, slope: corrected, by: dt))
            } else {
                let start = rule.slips.contains(.restartFromPredictor) ? seen : x
                previous.append(SigmaSpace.heunMove(x: start, slope: first.slope, predictorSlope: corrected, by: dt))
            }
        }
        return (x0, previous)
    }
}
