import ScoreODE

extension Verifier {
    /// The guided prediction, then (φ > 0) the rescale per batch item (`items` of them).
    func guided(
        _ record: FormulaRecord.Guidance, convention: ClassifierFreeGuidance.Convention, swap: Bool = false,
        phi: Double? = nil, items: Int? = nil, invertRatio: Bool = false
    ) -> [B] {
        let scale = B(record.scale)
        let (u, c) = swap ? (record.conditional, record.unconditional) : (record.unconditional, record.conditional)
        let combined = zip(u, c).map { ClassifierFreeGuidance.combine(unconditional: B.exact($0), conditional: B.exact($1), scale: scale, convention: convention) }
        let mix = phi ?? record.rescale
        guard mix > 0 else { return combined }
        let count = items ?? record.batch
        let size = combined.count / count
        return (0..<count).flatMap { item -> [B] in
            let range = (item * size)..<((item + 1) * size)
            let g = Array(combined[range]), cond = record.conditional[range].map(B.exact)
            guard invertRatio else { return ClassifierFreeGuidance.rescale(guided: g, conditional: cond, phi: B(mix)) }
            let ratio = ClassifierFreeGuidance.standardDeviation(g) / ClassifierFreeGuidance.standardDeviation(cond)
            return g.map { B(mix) * ($0 * ratio) + (B(1) - B(mix)) * $0 }
        }
    }

    func evaluateGuidance(_ record: FormulaRecord.Guidance) -> FormulaEvaluation? {
        let other: ClassifierFreeGuidance.Convention = record.convention == .diffusers ? .hoSalimans : .diffusers
        var variants = [
            FormulaVariant(id: "cfg.other-convention", explanation: record.convention == .diffusers
                ? "the scale is used as Ho & Salimans' w, (1 + w)ε_c − wε_∅; diffusers' guidance_scale means ε_∅ + w(ε_c − ε_∅) (the same guidance at w − 1)"
                : "the scale is used as diffusers' guidance_scale, ε_∅ + w(ε_c − ε_∅); Ho & Salimans (2022, eq. 6) write (1 + w)ε_c − wε_∅",
                outputs: [guided(record, convention: other)]),
            FormulaVariant(id: "cfg.swapped", explanation: "the conditional and unconditional predictions are exchanged: the guidance pushes away from the prompt", outputs: [guided(record, convention: record.convention, swap: true)]),
        ]
        if record.rescale > 0 {
            variants.append(FormulaVariant(id: "cfg.rescale-missing", explanation: "guidance_rescale = \(record.rescale) is not applied (Lin et al. 2024, §3.4)", outputs: [guided(record, convention: record.convention, phi: 0)]))
            if record.rescale < 1 {
                variants.append(FormulaVariant(id: "cfg.rescale-not-mixed", explanation: "the rescaled prediction is returned as is; it is mixed with the guided one, φ·rescaled + (1 − φ)·guided (Lin et al. 2024, eq. 16)", outputs: [guided(record, convention: record.convention, phi: 1)]))
            }
            variants.append(FormulaVariant(id: "cfg.rescale-inverted", explanation: "the guided prediction is multiplied by std(guided)/std(cond); the rescale brings its spread down to the conditional one's, ×std(cond)/std(guided) (Lin et al. 2024, eq. 15)", outputs: [guided(record, convention: record.convention, invertRatio: true)]))
            if record.batch > 1 {
                variants.append(FormulaVariant(id: "cfg.rescale-over-batch", explanation: "the standard deviations are taken over the whole batch; they are per item (over all dimensions but the batch, as diffusers' rescale_noise_cfg)", outputs: [guided(record, convention: record.convention, items: 1)]))
            }
        }
        return FormulaEvaluation(
            timestep: nil, outputs: [FormulaOutput(name: "cfg", got: record.value, expected: guided(record, convention: record.convention))], variants: variants,
            reference: "classifier-free guidance, \(record.convention == .diffusers ? "ε_∅ + w(ε_c − ε_∅)" : "(1 + w)ε_c − wε_∅") with w = \(VerifyFormat.number(record.scale))\(record.rescale > 0 ? ", rescaled with φ = \(VerifyFormat.number(record.rescale)) per item" : "")")
    }
}
