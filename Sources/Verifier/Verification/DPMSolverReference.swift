import Posterior
import ScoreODE

extension StepContext {
    /// One step of DPM-Solver++(2M) on the recorded sample, from level σ = σᵢ to σ' = σᵢ₊₁ of
    /// the recorded levels, with the weights of `ScoreODE`'s `MultistepDPMWeights` (Lu et al.
    /// 2022b, Algorithm 2, midpoint form) evaluated in bounded numbers. A VP sample has
    /// αₜ = 1/√(σ² + 1), sₜ = σαₜ; a scaled one (x = x₀ + σε, k-diffusion's) has α = 1, s = σ;
    /// λ = log α − log s in both:
    ///
    /// - x̂₀ from the prediction (the VP conversions), thresholded if configured;
    /// - x' = (s'/s)·x − α'(e^{−h} − 1)·x̂₀ − ½α'(e^{−h} − 1)·(x̂₀ − x̂₀₋₁)/r with h = λ' − λ and
    ///   r = (λ − λ₋₁)/h, the last term only at second order;
    /// - σ' = 0 gives e^{−h} = 0 and s' = 0.
    ///
    /// The first step is first order, and so is the last when `euler_at_final`, when the final
    /// level is 0, or when `lower_order_final` and K < 15 (diffusers' rule).
    func evaluateDPMStep(_ record: StepRecord, rule: StepRule, history: StepRecord?) -> (x0: [B], previous: [B])? {
        guard let sigmas, let i = record.index, i + 1 < sigmas.count else { return nil }
        let steps = sigmas.count - 1
        let scaled = sampleSpace == .scaled
        /// The VP signal and noise scales at σ.
        func vpScales(_ sigma: B) -> (alpha: B, s: B) {
            let alpha = B(1) / (sigma * sigma + B(1)).squareRoot()
            return (alpha, sigma * alpha)
        }
        /// The scales of the sample the trace records: the VP ones, or (1, σ) for x = x₀ + σε.
        func scales(_ sigma: B) -> (alpha: B, s: B) { scaled ? (B(1), sigma) : vpScales(sigma) }
        func lambda(_ sigma: B) -> B {
            let (alpha, s) = scales(sigma)
            return B.log(alpha) - B.log(s)
        }
        func denoised(_ step: StepRecord, level: B, epsilonOnly: Bool = false) -> [B] {
            let (alpha, s) = vpScales(level)
            let conversion = PredictionConversion<B>(signal: alpha, noise: s)
            let values = step.modelOutput.indices.map { j -> B in
                // The conversions read the VP sample: xₜ = αx for a scaled x.
                let (m, x) = (B.exact(step.modelOutput[j]), scaled ? B.exact(step.sample[j]) * alpha : B.exact(step.sample[j]))
                if epsilonOnly { return m }
                switch rule.prediction {
                case .epsilon: return conversion.x0(fromEpsilon: m, xt: x)
                case .sample: return m
                case .vPrediction: return conversion.x0(fromV: m, xt: x)
                }
            }
            return rule.thresholding && !epsilonOnly ? threshold(values, batch: step.shape.first ?? 1) : values
        }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        let lastIsFirstOrder = config.eulerAtFinal || (config.lowerOrderFinal && steps < 15) || next.value == 0
        var secondOrder = config.solverOrder == 2 && i >= 1 && !(i == steps - 1 && lastIsFirstOrder)
        if rule.slips.contains(.noLowerOrderFinal), i == steps - 1, i >= 1 { secondOrder = true }
        if rule.slips.contains(.firstOrderOnly) { secondOrder = false }
        let x0 = denoised(record, level: sigma)
        var x0Before: [B]?
        if secondOrder {
            guard let history, history.modelOutput.count == record.modelOutput.count else { return nil }
            x0Before = denoised(history, level: sigmas[i - 1], epsilonOnly: rule.slips.contains(.previousEpsilon))
        }
        // A step of length 0 (σ' = σ: Karras levels ending at σ_min, then final σ_min) leaves x:
        // e^{−h} − 1 = 0 multiplies both terms.
        if next.value == sigma.value, !rule.slips.contains(.hReversed) {
            return (x0, record.sample.map(B.exact))
        }
        let (alphaNext, sNext) = scales(next)
        let (_, sNow) = scales(sigma)
        let sign = B(rule.slips.contains(.hReversed) ? -1 : 1)
        // At σ' = 0, λ' = ∞: e^{−h} = 0 exactly.
        let h = next.value == 0 ? nil : sign * (lambda(next) - lambda(sigma))
        let decay = h.map { B.exp(B(0) - $0) } ?? B.exact(0)
        var inverseRatio: B?
        if secondOrder, let h {
            let r = sign * (lambda(sigma) - lambda(sigmas[i - 1])) / h
            inverseRatio = rule.slips.contains(.rInverted) ? r : B(1) / r
        } else if secondOrder {
            inverseRatio = B.exact(.infinity)  // r = h₋₁/∞ = 0: a second-order step to σ' = 0 diverges
        }
        // In scaled space s'/s = σ'/σ = e^{−h}; k-diffusion computes it as exp(−λ')/exp(−λ),
        // and the bound of e^{−h} covers that form (σ'/σ directly is closer still). diffusers
        // forms e^{−h} − 1 with exp, and so does this bound.
        let w = MultistepDPMWeights(sampleRatio: scaled && h != nil ? decay : sNext / sNow, alphaNext: alphaNext,
                                    decayMinusOne: decay - B(1), inverseRatio: inverseRatio)
        let previous = record.sample.indices.map { j -> B in
            var value = w.onSample * B.exact(record.sample[j]) + w.onDenoised * x0[j]
            if let difference = w.onDifference, let before = x0Before?[j] {
                value = value + difference * (x0[j] - before)
            }
            return value
        }
        return (x0, previous)
    }
}
