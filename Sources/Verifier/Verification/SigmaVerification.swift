import ScoreODE

/// The σ levels of diffusers-style Euler schedulers: σ = √((1 − ᾱ)/ᾱ) (the scaled sample
/// x = xₜ/√ᾱ = x₀ + σε; Karras et al. 2022, §2) at the spacing's timesteps, by linear
/// interpolation in τ, optionally replaced by Karras levels (eq. 5, ρ = 7) between the
/// smallest and largest, then the final level (0, or σ at τ = 0).
extension Verifier {
    /// σ at every training step, from the ᾱ the steps use; `vpStd` plants √(1 − ᾱ) instead.
    func trainingSigmas(vpStd: Bool = false) -> [B] {
        stepContext.alphaBar.map { alphaBar in vpStd ? (B(1) - alphaBar).squareRoot() : ((B(1) - alphaBar) / alphaBar).squareRoot() }
    }

    /// σ at a fractional timestep t (stored in the trace's dtype) by linear interpolation.
    func interpolate(_ sigmas: [B], at t: Double) -> B {
        guard t > 0 else { return sigmas[0] }
        let low = Int(t.rounded(.down))
        guard low + 1 < sigmas.count else { return sigmas[sigmas.count - 1] }
        let weight = B(value: t - Double(low), error: B.u * abs(t))
        return (sigmas[low + 1] - sigmas[low]) * weight + sigmas[low]
    }

    /// The K + 1 levels the configuration names (K = levels − 1).
    func sigmaLevels(count k: Int, karras: Bool, final: SchedulerConfig.FinalSigma, vpStd: Bool = false) -> [B] {
        let training = trainingSigmas(vpStd: vpStd)
        var levels = timesteps(trace.config.spacing, k, offset: trace.config.stepsOffset).map { interpolate(training, at: $0) }
        // Euler's Karras levels span the spacing's σ; DPM-Solver's span the whole training range.
        let span = trace.scheduler == .dpmSolverPlusPlus2M ? [training[training.count - 1], training[0]] : levels
        if karras, k >= 2, let top = span.first, let bottom = span.last, bottom.value > 0, top.value > bottom.value {
            levels = SigmaSpacing.karrasLevels(count: k, minimum: bottom, maximum: top, rho: 7)
        }
        return levels + [final == .zero ? B.exact(0) : training[0]]
    }

    func sigmasFinding(record: Int, got: [Double]) -> Finding {
        let config = trace.config
        let k = got.count - 1
        let expected = sigmaLevels(count: k, karras: config.useKarrasSigmas, final: config.finalSigma)
        let otherFinal: SchedulerConfig.FinalSigma = config.finalSigma == .zero ? .sigmaMin : .zero
        var variants: [(String, String, [B])] = [
            ("sigmas.vp-std", "the levels are √(1 − ᾱ), the VP noise scale; a σ-space sampler steps x = xₜ/√ᾱ = x₀ + σε with σ = √((1 − ᾱ)/ᾱ) (Karras et al. 2022, §2)",
             sigmaLevels(count: k, karras: config.useKarrasSigmas, final: config.finalSigma, vpStd: true)),
            ("sigmas.final-flipped", "the last level is \(otherFinal == .zero ? "0" : "σ at τ = 0") where final_sigmas_type says \(config.finalSigma.rawValue)",
             sigmaLevels(count: k, karras: config.useKarrasSigmas, final: otherFinal)),
        ]
        variants.append(config.useKarrasSigmas
            ? ("sigmas.karras-missing", "the levels are the spacing's interpolated σ although use_karras_sigmas asks for Karras levels (Karras et al. 2022, eq. 5)",
               sigmaLevels(count: k, karras: false, final: config.finalSigma))
            : ("sigmas.karras-unasked", "the levels are Karras levels although use_karras_sigmas is false",
               sigmaLevels(count: k, karras: true, final: config.finalSigma)))
        var finding = scheduleFinding("sigmas", record: record, got: got, expected: expected, variants: variants)
        finding.reference = "\(k + 1) σ levels: √((1 − ᾱ)/ᾱ) at the \(config.spacing.rawValue) timesteps\(config.useKarrasSigmas ? ", Karras ρ = 7" : ""), then \(config.finalSigma.rawValue), in \(trace.precision.rawValue) rounding"
        return finding
    }

    /// Where each Karras level sits among the training steps: j + w with log σⱼ ≤ log σ ≤
    /// log σⱼ₊₁ and w the linear interpolation in log σ (diffusers' `_sigma_to_t`).
    func karrasTimestepsBounded(_ k: Int) -> [B] {
        let training = trainingSigmas().map { B.log($0) }
        return sigmaLevels(count: k, karras: true, final: trace.config.finalSigma).dropLast().map { level in
            let target = B.log(level)
            let j = min(max((training.lastIndex { $0.value <= target.value } ?? 0), 0), training.count - 2)
            let w = B.minimum(B.maximum((target - training[j]) / (training[j + 1] - training[j]), B(0)), B(1))
            return B(Double(j)) + w
        }
    }

    func karrasTimesteps(_ k: Int) -> [Double] { karrasTimestepsBounded(k).map(\.value) }
}
