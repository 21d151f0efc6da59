import ELBO
import ForwardProcess
import Posterior
import ScoreODE

/// A known mistake in a formula: its id, what the code does instead, and its numbers on the
/// record's own inputs (one array per output of the record).
struct FormulaVariant<P: RoundingUnit> {
    let id: String
    let explanation: String
    let outputs: [[Bounded<P>]]
}

extension Verifier {
    /// The findings of one formula record: each output against its reference, and, when one
    /// fails, the known mistakes whose numbers equal every recorded output.
    func formulaFindings(_ formula: FormulaRecord, record: Int) -> [Finding] {
        guard let evaluation = evaluate(formula) else {
            return [Finding(quantity: formula.quantity, record: record, t: nil, index: nil, expected: nil, got: nil, relativeError: nil, tolerance: nil, checked: 0, pass: false, reference: "no ᾱ at the recorded timestep", diagnoses: [])]
        }
        let comparisons = evaluation.outputs.map { Comparison(got: $0.got, expected: $0.expected) }
        var diagnoses: [Diagnosis] = []
        if comparisons.contains(where: { !$0.pass }) {
            for variant in evaluation.variants where variant.outputs.count == evaluation.outputs.count {
                let matches = zip(evaluation.outputs, variant.outputs).allSatisfy { output, values in
                    values.count == output.got.count && Comparison(got: output.got, expected: values).pass
                }
                if matches, !diagnoses.contains(where: { $0.id == variant.id }) {
                    diagnoses.append(Diagnosis(id: variant.id, explanation: variant.explanation))
                }
            }
        }
        return zip(evaluation.outputs, comparisons).map { output, comparison in
            let at = element(output.got, output.expected, at: comparison.index)
            let t = output.timesteps.map { list in comparison.index.flatMap { list.indices.contains($0) ? list[$0] : nil } } ?? evaluation.timestep
            return Finding(
                quantity: output.name, record: record, t: t, index: comparison.index, expected: at.expected, got: at.got,
                relativeError: at.relative, tolerance: at.tolerance, checked: output.got.count, pass: comparison.pass,
                reference: evaluation.reference, diagnoses: comparison.pass ? [] : diagnoses)
        }
    }

    struct FormulaOutput {
        let name: String
        let got: [Double]
        let expected: [B]
        /// The timestep of each element (snr, loss weights), else the record's.
        var timesteps: [Int]? = nil
    }

    struct FormulaEvaluation {
        var timestep: Int?
        var outputs: [FormulaOutput]
        var variants: [FormulaVariant<P>]
        var reference: String
    }

    func alphaBar(_ tau: Int) -> B? { stepContext.alphaBar(tau) }
    /// β at τ for the formula records (`formulaBeta`), nil off the schedule.
    func beta(_ tau: Int) -> B? { formulaBeta.indices.contains(tau) ? formulaBeta[tau] : nil }

    /// The conversions at τ + shift (nil off the schedule).
    func conversion(_ tau: Int, shift: Int = 0) -> PredictionConversion<B>? {
        alphaBar(tau + shift).map { PredictionConversion<B>(alphaBar: $0) }
    }

    func offByOne(_ tau: Int, _ make: (PredictionConversion<B>) -> [B]) -> [[B]] {
        [-1, 1].compactMap { shift in conversion(tau, shift: shift).map(make) }
    }

    func evaluate(_ formula: FormulaRecord) -> FormulaEvaluation? {
        switch formula {
        case .qSample(let tau, let x0, let noise, let value):
            guard let exact = conversion(tau), let alphaBarT = alphaBar(tau) else { return nil }
            let noised = { (c: PredictionConversion<B>) in
                zip(x0, noise).map { ForwardProcess.noised(x0: B.exact($0), epsilon: B.exact($1), signal: c.signal, noise: c.noise) }
            }
            var variants = [
                FormulaVariant(id: "q_sample.no-sqrt", explanation: "xₜ = ᾱₜx₀ + (1 − ᾱₜ)ε: the square roots are missing; xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε (DDPM eq. 4)", outputs: [noised(PredictionConversion(signal: alphaBarT, noise: B(1) - alphaBarT))]),
                FormulaVariant(id: "q_sample.sqrt-swapped", explanation: "xₜ = √(1 − ᾱₜ) x₀ + √ᾱₜ ε: the two scales are exchanged (DDPM eq. 4)", outputs: [noised(PredictionConversion(signal: exact.noise, noise: exact.signal))]),
            ]
            if let beta = beta(tau) {
                variants.append(FormulaVariant(id: "q_sample.alpha-not-cumulative", explanation: "the scales use αₜ = 1 − βₜ where the closed form needs the cumulative product ᾱₜ = α₁⋯αₜ (DDPM eq. 4)", outputs: [noised(PredictionConversion(alphaBar: B(1) - beta))]))
            }
            variants += offByOne(tau, noised).map { FormulaVariant(id: "q_sample.alpha-bar-off-by-one", explanation: "ᾱ is read one index off: index τ holds ᾱ of step t = τ + 1", outputs: [$0]) }
            return FormulaEvaluation(
                timestep: tau, outputs: [FormulaOutput(name: "q_sample", got: value, expected: noised(exact))], variants: variants,
                reference: "q_sample at τ = \(tau): √ᾱ x₀ + √(1 − ᾱ) ε (DDPM eq. 4), ᾱ = \(VerifyFormat.number(alphaBarT.value))")

        case .velocity(let tau, let x0, let noise, let value):
            guard let exact = conversion(tau), let alphaBarT = alphaBar(tau) else { return nil }
            let velocity = { (c: PredictionConversion<B>) in zip(x0, noise).map { c.v(x0: B.exact($0), epsilon: B.exact($1)) } }
            var variants = [
                FormulaVariant(id: "velocity.sign", explanation: "v has the opposite sign: v = √ᾱ ε − √(1 − ᾱ) x₀ (Salimans & Ho 2022, §4)", outputs: [velocity(exact).map { B(0) - $0 }]),
                FormulaVariant(id: "velocity.sqrt-swapped", explanation: "v = √(1 − ᾱ) ε − √ᾱ x₀: the two scales are exchanged; v = √ᾱ ε − √(1 − ᾱ) x₀", outputs: [velocity(PredictionConversion(signal: exact.noise, noise: exact.signal))]),
                FormulaVariant(id: "velocity.no-sqrt", explanation: "v = ᾱε − (1 − ᾱ)x₀: the square roots are missing", outputs: [velocity(PredictionConversion(signal: alphaBarT, noise: B(1) - alphaBarT))]),
            ]
            variants += offByOne(tau, velocity).map { FormulaVariant(id: "velocity.alpha-bar-off-by-one", explanation: "ᾱ is read one index off: index τ holds ᾱ of step t = τ + 1", outputs: [$0]) }
            return FormulaEvaluation(
                timestep: tau, outputs: [FormulaOutput(name: "velocity", got: value, expected: velocity(exact))], variants: variants,
                reference: "v target at τ = \(tau): √ᾱ ε − √(1 − ᾱ) x₀ (Salimans & Ho 2022), ᾱ = \(VerifyFormat.number(alphaBarT.value))")

        case .conversion(let record):
            return evaluateConversion(record)
        case .posterior(let record):
            return evaluatePosterior(record)
        case .snr(let timesteps, let values):
            return evaluateSNR(timesteps: timesteps, values: values)
        case .lossWeight(let record):
            return evaluateLossWeight(record)
        case .guidance(let record):
            return evaluateGuidance(record)
        }
    }
}
