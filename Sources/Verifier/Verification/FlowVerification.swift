import FlowMatching

extension StepContext {
    /// One Euler step on the flow-matching ODE from σ = σᵢ to σ' = σᵢ₊₁ (`FlowEuler.step`):
    /// x' = x + (σ' − σ)·v, the model output v = ε − x₀ being dx/dσ on x = (1 − σ)x₀ + σε.
    /// x̂₀ = x − σv.
    func evaluateFlowStep(_ record: StepRecord, rule: StepRule) -> (x0: [B], previous: [B])? {
        guard let sigmas, let i = record.index, i + 1 < sigmas.count else { return nil }
        let (sigma, next) = (sigmas[i], sigmas[i + 1])
        var x0: [B] = []
        var previous: [B] = []
        for j in record.sample.indices {
            let x = B.exact(record.sample[j])
            let v = rule.slips.contains(.velocitySign) ? B(0) - B.exact(record.modelOutput[j]) : B.exact(record.modelOutput[j])
            x0.append(x - sigma * v)
            previous.append(FlowEuler.step(x, velocity: v, t: sigma, next: next))
        }
        return (x0, previous)
    }
}

extension Verifier {
    /// The K flow-matching levels of SD3 (Esser et al. 2024, §5.3.2): t evenly spaced from 1 to
    /// 1/T (T training steps), each shifted once by `TimestepShift`. `doubleShift` plants
    /// diffusers' lower end, shift(1/T), shifted again (diffusers issue 13243); `shift` other
    /// than the configuration's plants an unshifted (1) or inverted (1/s) shift.
    func flowLevels(_ k: Int, doubleShift: Bool = false, shift: Double? = nil) -> [B] {
        let t = Double(trace.config.trainSteps)
        let s = B(shift ?? trace.config.shift)
        let low = doubleShift ? TimestepShift.shifted(B(1) / B(t), shift: s) : B(1) / B(t)
        let ramp: [B] = k == 1 ? [B(1)] : (0..<k).map { i in
            i == k - 1 ? low : (B(t) + B(Double(i)) * (low * B(t) - B(t)) / B(Double(k - 1))) / B(t)
        }
        return ramp.map { TimestepShift.shifted($0, shift: s) }
    }

    /// The flow `sigmas` record: the K levels, then 0.
    func flowSigmasFinding(record: Int, got: [Double]) -> Finding {
        let k = got.count - 1
        let s = trace.config.shift
        var variants: [(String, String, [B])] = [
            ("sigmas.flow-double-shift", "the lowest level is shifted twice: the levels run from 1 to shift(1/T) and are shifted again, so they end at shift(shift(1/T)) instead of shift(1/T) (diffusers' FlowMatchEulerDiscreteScheduler, issue 13243)", flowLevels(k, doubleShift: true) + [B.exact(0)]),
        ]
        if s != 1 {
            variants.append(("sigmas.flow-unshifted", "the levels are not shifted although shift = \(VerifyFormat.number(s)) (SD3's t ↦ st/(1 + (s − 1)t), Esser et al. 2024, eq. 23)", flowLevels(k, shift: 1) + [B.exact(0)]))
            variants.append(("sigmas.flow-shift-inverted", "the levels are shifted by 1/s instead of s = \(VerifyFormat.number(s)): toward less noise where a larger image needs more", flowLevels(k, shift: 1 / s) + [B.exact(0)]))
        }
        var finding = scheduleFinding("sigmas", record: record, got: got, expected: flowLevels(k) + [B.exact(0)], variants: variants)
        finding.reference = "\(k + 1) flow levels: t from 1 to 1/T evenly, shifted by s = \(VerifyFormat.number(s)) (Esser et al. 2024, §5.3.2), then 0, in \(trace.precision.rawValue) rounding"
        return finding
    }

    /// The flow `timesteps` record: the K levels times T.
    func flowTimestepsFinding(record: Int, k: Int, got: [Double]) -> Finding {
        let t = B(Double(trace.config.trainSteps))
        let variants = [("timesteps.flow-double-shift", "the timesteps are the twice-shifted levels times T (diffusers issue 13243)", flowLevels(k, doubleShift: true).map { $0 * t })]
        var finding = scheduleFinding("timesteps", record: record, got: got, expected: flowLevels(k).map { $0 * t }, variants: variants)
        finding.reference = "\(k) flow timesteps: the shifted levels times T = \(trace.config.trainSteps)"
        return finding
    }
}
