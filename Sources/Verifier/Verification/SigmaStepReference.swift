import Posterior
import ScoreODE

extension StepContext {
    /// x̂₀ and the slope d = (x − x̂₀)/σ of the probability-flow ODE at the scaled sample x
    /// and level σ, with x̂₀ from the prediction through the VP conversions at
    /// √ᾱ = 1/√(σ² + 1) (every σ-space rule reads its outputs so).
    func slope(output: Double, at x: B, sigma: B, rule: StepRule) -> (x0: B, slope: B) {
        let scale = B(1) / (sigma * sigma + B(1)).squareRoot()
        let conversion = PredictionConversion<B>(signal: scale, noise: sigma * scale)
        let m = B.exact(output)
        let denoised: B
        switch rule.prediction {
        case .epsilon:
            denoised = rule.slips.contains(.unscaledSample)
                ? x * (sigma * sigma + B(1)).squareRoot() - sigma * m
                : conversion.x0(fromEpsilon: m, xt: x * scale)
        case .sample: denoised = m
        case .vPrediction: denoised = conversion.x0(fromV: m, xt: x * scale)
        }
        return (denoised, SigmaSpace.slope(x: x, denoised: denoised, sigma: sigma))
    }

    /// One step of a σ-space sampler on the scaled sample x = x₀ + σε, from σ = σᵢ to σ' = σᵢ₊₁:
    ///
    /// - x̂₀ from the prediction, through the VP conversions with √ᾱ = 1/√(σ² + 1),
    ///   √(1 − ᾱ) = σ/√(σ² + 1) and xₜ = x/√(σ² + 1) (so x̂₀ = x − σε for ε);
    /// - the ODE's slope d = (x − x̂₀)/σ (Karras et al. 2022, eq. 4 with σ(t) = t);
    /// - Euler: x' = x + (σ' − σ)·d (Algorithm 1 without churn); Euler ancestral: the split
    ///   `AncestralSplit.parts` (η = 1), x' = x + (σ_down − σ)·d + σ_up·z.
    func evaluateSigmaStep(_ record: StepRecord, rule: StepRule) -> (x0: [B], previous: [B])? {
        guard let sigmas, let i = record.index, i + 1 < sigmas.count else { return nil }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        var (up, down) = AncestralSplit.parts(sigma: sigma, next: next, eta: B(1))
        if rule.slips.contains(.sigmaUpUnscaled) || rule.slips.contains(.sigmaUpUnscaledClamped) {
            up = (sigma * sigma - next * next).squareRoot()
            let square = next * next - up * up
            down = (rule.slips.contains(.sigmaUpUnscaledClamped) ? B.maximum(square, B(0)) : square).squareRoot()
        }
        if rule.slips.contains(.noSplit) { down = next }
        let target = rule.kind == .eulerAncestral ? down : next
        let dt = rule.slips.contains(.dtReversed) ? sigma - target : target - sigma
        // At σ' = 0 the split is (0, 0): no noise, whether or not the code drew any.
        let addsNoise = rule.kind == .eulerAncestral && !rule.slips.contains(.noNoise) && up.value != 0
        var x0: [B] = []
        var previous: [B] = []
        for j in record.modelOutput.indices {
            let x = B.exact(record.sample[j])
            let (denoised, atSigma) = slope(output: record.modelOutput[j], at: x, sigma: sigma, rule: rule)
            let slope = rule.slips.contains(.derivativeAtNext) ? SigmaSpace.slope(x: x, denoised: denoised, sigma: next) : atSigma
            var moved = SigmaSpace.eulerMove(x: x, slope: slope, by: dt)
            if addsNoise { moved = moved + up * (record.noise.map { B.exact($0[j]) } ?? .unknown) }
            x0.append(denoised)
            previous.append(moved)
        }
        return (x0, previous)
    }
}
