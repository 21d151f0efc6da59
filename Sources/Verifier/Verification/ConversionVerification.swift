import Posterior
import ScoreODE

extension Verifier {
    typealias Target = FormulaRecord.Conversion.Target

    /// `input` read as `from` and written as `to` with the scales of `c`: through (x̂₀, ε̂)
    /// (Parameterization), the score as −ε̂/√(1 − ᾱ) (Tweedie). `flipV` reads and writes v
    /// with the opposite sign; `score` replaces the score's formula.
    func converted(
        _ record: FormulaRecord.Conversion, _ c: PredictionConversion<B>, flipV: Bool = false,
        score: ((B, PredictionConversion<B>) -> B)? = nil
    ) -> [B] {
        zip(record.input, record.xt).map { raw, rawX in
            let (m, x) = (B.exact(raw), B.exact(rawX))
            let x0: B, epsilon: B
            switch record.from {
            case .epsilon: (x0, epsilon) = (c.x0(fromEpsilon: m, xt: x), m)
            case .sample: (x0, epsilon) = (m, c.epsilon(fromX0: m, xt: x))
            case .vPrediction:
                let v = flipV ? B(0) - m : m
                (x0, epsilon) = (c.x0(fromV: v, xt: x), c.epsilon(fromV: v, xt: x))
            case .score: (x0, epsilon) = (.unknown, .unknown)  // refused by the reader
            }
            switch record.to {
            case .epsilon: return epsilon
            case .sample: return x0
            case .vPrediction:
                let v = c.v(x0: x0, epsilon: epsilon)
                return flipV ? B(0) - v : v
            case .score: return score?(epsilon, c) ?? SigmaSpace.score(epsilon: epsilon, noise: c.noise)
            }
        }
    }

    func evaluateConversion(_ record: FormulaRecord.Conversion) -> FormulaEvaluation? {
        let tau = record.timestep
        guard let exact = conversion(tau), let alphaBarT = alphaBar(tau) else { return nil }
        var variants = [
            FormulaVariant(id: "conversion.sqrt-swapped", explanation: "√ᾱ and √(1 − ᾱ) are exchanged in the conversion (x₀ = (xₜ − √(1 − ᾱ) ε)/√ᾱ, DDPM eq. 15; v = √ᾱ ε − √(1 − ᾱ) x₀)", outputs: [converted(record, PredictionConversion(signal: exact.noise, noise: exact.signal))]),
            FormulaVariant(id: "conversion.no-sqrt", explanation: "the conversion uses ᾱ and 1 − ᾱ where it needs their square roots", outputs: [converted(record, PredictionConversion(signal: alphaBarT, noise: B(1) - alphaBarT))]),
        ]
        if record.from == .vPrediction || record.to == .vPrediction {
            variants.append(FormulaVariant(id: "conversion.v-sign", explanation: "v is taken with the opposite sign: v = √ᾱ ε − √(1 − ᾱ) x₀ (Salimans & Ho 2022)", outputs: [converted(record, exact, flipV: true)]))
        }
        if record.to == .score {
            variants.append(FormulaVariant(id: "conversion.score-sign", explanation: "the score is +ε/√(1 − ᾱ); it points toward the data: ∇ log q(xₜ) = −ε/√(1 − ᾱ) (Tweedie)", outputs: [converted(record, exact) { epsilon, c in epsilon / c.noise }]))
            variants.append(FormulaVariant(id: "conversion.score-variance", explanation: "the score divides ε by the variance 1 − ᾱ instead of the standard deviation √(1 − ᾱ)", outputs: [converted(record, exact) { epsilon, c in (B(0) - epsilon) / (c.noise * c.noise) }]))
        }
        variants += offByOne(tau) { converted(record, $0) }.map { FormulaVariant(id: "conversion.alpha-bar-off-by-one", explanation: "ᾱ is read one index off: index τ holds ᾱ of step t = τ + 1", outputs: [$0]) }
        return FormulaEvaluation(
            timestep: tau, outputs: [FormulaOutput(name: "conversion", got: record.value, expected: converted(record, exact))], variants: variants,
            reference: "\(record.from.rawValue) → \(record.to.rawValue) at τ = \(tau), ᾱ = \(VerifyFormat.number(alphaBarT.value)) (DDPM eq. 15; Salimans & Ho 2022; score −ε/√(1 − ᾱ))")
    }

    func evaluatePosterior(_ record: FormulaRecord.Posterior) -> FormulaEvaluation? {
        let tau = record.timestep
        guard let alphaBarT = alphaBar(tau), let alphaBarS = alphaBar(record.previous) else { return nil }
        func outputs(_ posterior: SkipPosterior<B>, variance: B? = nil) -> [[B]] {
            var result: [[B]] = []
            if record.mean != nil { result.append(zip(record.x0, record.xt).map { posterior.mean(x0: B.exact($0), xt: B.exact($1)) }) }
            if record.variance != nil { result.append([variance ?? posterior.variance]) }
            return result
        }
        let exact = SkipPosterior(alphaBar: alphaBarT, alphaBarPrevious: alphaBarS)
        var variants = [
            FormulaVariant(id: "posterior.variance-upside-down", explanation: "β̃ = β(1 − ᾱₜ)/(1 − ᾱ_prev): the ratio is upside down; β̃ = (1 − ᾱ_prev)/(1 − ᾱₜ)·β (DDPM eq. 7)", outputs: outputs(exact, variance: exact.beta * (B(1) - alphaBarT) / (B(1) - alphaBarS))),
            FormulaVariant(id: "posterior.beta-for-variance", explanation: "the posterior variance is β; q(x_prev | xₜ, x₀) has β̃ = (1 − ᾱ_prev)/(1 − ᾱₜ)·β (DDPM eq. 7; β is the reverse process's other fixed choice, not the posterior's)", outputs: outputs(exact, variance: exact.beta)),
            FormulaVariant(id: "posterior.mean-coefficients-swapped", explanation: "the coefficients of x₀ and xₜ in μ̃ are exchanged; μ̃ = √ᾱ_prev β/(1 − ᾱₜ)·x₀ + √(ᾱₜ/ᾱ_prev)(1 − ᾱ_prev)/(1 − ᾱₜ)·xₜ (DDPM eq. 7)", outputs: outputs(SkipPosterior(beta: exact.beta, coef1: exact.coef2, coef2: exact.coef1, variance: exact.variance))),
        ]
        if let early = alphaBar(tau - 1) {
            variants.append(FormulaVariant(id: "posterior.alpha-bar-off-by-one", explanation: "ᾱₜ is read one index early (alphas_cumprod[τ − 1]): index τ holds ᾱ of step t = τ + 1", outputs: outputs(SkipPosterior(alphaBar: early, alphaBarPrevious: alphaBarS))))
        }
        if record.previous < tau - 1, let beta = beta(tau) {
            variants.append(FormulaVariant(id: "posterior.beta-for-skip", explanation: "the one-step βₜ is used although the posterior skips to τ = \(record.previous); the skip's β is 1 − ᾱₜ/ᾱ_prev", outputs: outputs(SkipPosterior(alphaBarPrevious: alphaBarS, oneMinusAlphaBar: B(1) - alphaBarT, oneMinusAlphaBarPrevious: B(1) - alphaBarS, beta: beta))))
        }
        let expected = outputs(exact)
        var named: [FormulaOutput] = []
        var position = 0
        if let mean = record.mean {
            named.append(FormulaOutput(name: "posterior.mean", got: mean, expected: expected[position]))
            position += 1
        }
        if let variance = record.variance { named.append(FormulaOutput(name: "posterior.variance", got: [variance], expected: expected[position])) }
        return FormulaEvaluation(
            timestep: tau, outputs: named, variants: variants,
            reference: "q(x at \(record.previous == -1 ? "the clean end" : "τ = \(record.previous)") | xτ, x₀) at τ = \(tau) (DDPM eq. 6–7)")
    }
}
