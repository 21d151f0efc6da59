import ELBO
import ScoreODE

extension Verifier {
    /// SNR at τ as (√ᾱ/√(1 − ᾱ))², the form of diffusers' `compute_snr`: its rounding bound
    /// also covers the direct ᾱ/(1 − ᾱ).
    func snr(_ tau: Int, shift: Int = 0) -> B? {
        conversion(tau, shift: shift).map { MinSNRWeight.snr(signal: $0.signal, noise: $0.noise) }
    }

    func evaluateSNR(timesteps: [Int], values: [Double]) -> FormulaEvaluation? {
        let alphaBars = timesteps.map(alphaBar)
        guard alphaBars.allSatisfy({ $0 != nil }) else { return nil }
        let bars = alphaBars.map { $0! }
        let expected = timesteps.map { snr($0)! }
        var variants = [
            FormulaVariant(id: "snr.not-squared", explanation: "SNR = √ᾱ/√(1 − ᾱ): the ratio of the scales is not squared; SNR = ᾱ/(1 − ᾱ) = (√ᾱ/√(1 − ᾱ))²", outputs: [bars.map { $0.squareRoot() / (B(1) - $0).squareRoot() }]),
            FormulaVariant(id: "snr.alpha-squared", explanation: "SNR = ᾱ²/(1 − ᾱ): ᾱ is squared where √ᾱ should be (the signal's variance is ᾱ)", outputs: [bars.map { $0 * $0 / (B(1) - $0) }]),
            FormulaVariant(id: "snr.inverted", explanation: "the ratio is noise to signal, (1 − ᾱ)/ᾱ; SNR = ᾱ/(1 − ᾱ)", outputs: [bars.map { (B(1) - $0) / $0 }]),
        ]
        for shift in [-1, 1] {
            let shifted = timesteps.compactMap { snr($0, shift: shift) }
            if shifted.count == timesteps.count {
                variants.append(FormulaVariant(id: "snr.off-by-one", explanation: "ᾱ is read one index off: index τ holds ᾱ of step t = τ + 1", outputs: [shifted]))
            }
        }
        return FormulaEvaluation(
            timestep: nil, outputs: [FormulaOutput(name: "snr", got: values, expected: expected, timesteps: timesteps)], variants: variants,
            reference: "SNR = ᾱ/(1 − ᾱ) at \(timesteps.count) timesteps")
    }

    func evaluateLossWeight(_ record: FormulaRecord.LossWeight) -> FormulaEvaluation? {
        switch record.weighting {
        case .minSNR: return evaluateMinSNR(record)
        case .vlb: return evaluateBoundWeight(record)
        }
    }

    static func target(_ prediction: SchedulerConfig.PredictionType) -> MinSNRWeight.Target {
        switch prediction {
        case .epsilon: return .epsilon
        case .sample: return .x0
        case .vPrediction: return .v
        }
    }

    func evaluateMinSNR(_ record: FormulaRecord.LossWeight) -> FormulaEvaluation? {
        let snrs = record.timesteps.map { snr($0) }
        guard snrs.allSatisfy({ $0 != nil }), let gammaValue = record.gamma else { return nil }
        let values = snrs.map { $0! }
        let gamma = B(gammaValue)
        let target = Self.target(record.prediction)
        let weights = { (t: MinSNRWeight.Target) in values.map { MinSNRWeight.weight(snr: $0, gamma: gamma, target: t) } }
        var variants: [FormulaVariant<P>] = SchedulerConfig.PredictionType.allCases.filter { $0 != record.prediction }.map { other in
            FormulaVariant(id: "min-snr.weight-of-\(other == .vPrediction ? "v" : other.rawValue)", explanation: "the weight is min-SNR-γ's for \(other.rawValue) prediction, not for \(record.prediction.rawValue): ε min(SNR, γ)/SNR, x₀ min(SNR, γ), v min(SNR, γ)/(SNR + 1) (Hang et al. 2023, Appendix B)", outputs: [weights(Self.target(other))])
        }
        if target == .v {
            variants.append(FormulaVariant(id: "min-snr.v-capped-snr-plus-one", explanation: "min(SNR + 1, γ)/(SNR + 1) caps SNR + 1 instead of SNR; the v weight is min(SNR, γ)/(SNR + 1) (diffusers issue 5654, fixed in PR 6307)", outputs: [values.map { B.minimum($0 + B(1), gamma) / ($0 + B(1)) }]))
            variants.append(FormulaVariant(id: "min-snr.v-epsilon-plus-one", explanation: "the ε weight plus one, min(SNR, γ)/SNR + 1; the v weight is min(SNR, γ)/(SNR + 1) (diffusers PR 8466)", outputs: [values.map { B.minimum($0, gamma) / $0 + B(1) }]))
        }
        variants.append(FormulaVariant(id: "min-snr.max", explanation: "max(SNR, γ) where min-SNR-γ caps the weight with min(SNR, γ) (Hang et al. 2023, eq. 8)", outputs: [values.map { s -> B in
            let capped = B.maximum(s, gamma)
            switch target {
            case .x0: return capped
            case .epsilon: return capped / s
            case .v: return capped / (s + B(1))
            }
        }]))
        return FormulaEvaluation(
            timestep: nil, outputs: [FormulaOutput(name: "loss_weight", got: record.values, expected: weights(target), timesteps: record.timesteps)], variants: variants,
            reference: "min-SNR-γ weight (γ = \(VerifyFormat.number(gammaValue))) for \(record.prediction.rawValue) prediction (Hang et al. 2023)")
    }

    /// λ of L_{t−1} for the record's target: the ε form βₜ²/(2σ²αₜ(1 − ᾱₜ)) (DDPM eq. 12) and
    /// the x₀ and v forms from the errors' identities (ELBO `x0Weight`, `vWeight`).
    func boundWeight(_ tau: Int, target: MinSNRWeight.Target, large: Bool, half: Bool = true) -> B? {
        guard let beta = beta(tau), let alphaBarT = alphaBar(tau), let alphaBarS = alphaBar(tau - 1) else { return nil }
        let oneMinusAlphaBar = B(1) - alphaBarT
        let sigma2 = large ? beta : beta * (B(1) - alphaBarS) / oneMinusAlphaBar
        var lambda = epsilonWeight(beta: beta, alpha: B(1) - beta, oneMinusAlphaBar: oneMinusAlphaBar, sigma2: sigma2)
        if !half { lambda = lambda * B(2) }
        switch target {
        case .epsilon: return lambda
        case .x0: return x0Weight(epsilonWeight: lambda, alphaBar: alphaBarT)
        case .v: return vWeight(epsilonWeight: lambda, alphaBar: alphaBarT)
        }
    }

    func evaluateBoundWeight(_ record: FormulaRecord.LossWeight) -> FormulaEvaluation? {
        let large = [.fixedLarge, .fixedLargeLog].contains(trace.config.variance)
        let target = Self.target(record.prediction)
        func weights(_ t: MinSNRWeight.Target, large: Bool, half: Bool = true) -> [B]? {
            let values = record.timesteps.map { boundWeight($0, target: t, large: large, half: half) }
            return values.allSatisfy { $0 != nil } ? values.map { $0! } : nil
        }
        guard let expected = weights(target, large: large) else { return nil }
        var variants: [FormulaVariant<P>] = []
        if let doubled = weights(target, large: large, half: false) {
            variants.append(FormulaVariant(id: "vlb.no-half", explanation: "the weight misses the ½ of the Gaussian KL, (μ̃ − μ)²/(2σ²) (DDPM eq. 12)", outputs: [doubled]))
        }
        if let swapped = weights(target, large: !large) {
            variants.append(FormulaVariant(id: "vlb.variance-swapped", explanation: "σ² is \(large ? "β̃ₜ" : "βₜ") where the configuration's variance_type says \(large ? "βₜ (fixed_large)" : "β̃ₜ (fixed_small)")", outputs: [swapped]))
        }
        for other in SchedulerConfig.PredictionType.allCases where other != record.prediction {
            if let values = weights(Self.target(other), large: large) {
                variants.append(FormulaVariant(id: "vlb.weight-of-\(other == .vPrediction ? "v" : other.rawValue)", explanation: "the weight is the bound's weight of the \(other.rawValue) error, not the \(record.prediction.rawValue) error (they differ by SNR = ᾱ/(1 − ᾱ) and SNR + 1)", outputs: [values]))
            }
        }
        return FormulaEvaluation(
            timestep: nil, outputs: [FormulaOutput(name: "loss_weight", got: record.values, expected: expected, timesteps: record.timesteps)], variants: variants,
            reference: "the bound's weight λ of the \(record.prediction.rawValue) error in L_{t−1}, σ² = \(large ? "β" : "β̃") (DDPM eq. 12)")
    }
}
