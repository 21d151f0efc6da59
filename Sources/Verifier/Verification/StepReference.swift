import Posterior

/// How one DDPM or DDIM step turns its recorded inputs into x̂₀ and x_prev, with every choice
/// spelled out, so that the reference and each known mistake are the same evaluation with
/// different choices (`MistakeCatalogue`).
struct StepRule: Sendable {
    /// The mistakes in a formula, as opposed to a different choice of a configuration option.
    enum Slip: Sendable {
        case varianceUpsideDown, varianceAsStd, noiseAtLastStep, noNoise
        case x0SqrtSwapped, x0NoSqrt, meanSwapped, learnedRangeLinear, sqrtOfLogVariance
        case betaForSkip, sigmaMissingRatio, directionIgnoresSigma, etaAsSigma
        case derivativeAtNext, dtReversed, unscaledSample, sigmaUpUnscaled, sigmaUpUnscaledClamped, noSplit
        case firstOrderOnly, rInverted, hReversed, previousEpsilon, noLowerOrderFinal
        case noCorrection, slopeAtCurrentLevel, restartFromPredictor, secondSlopeOnly
        case linearStageLevels, stageAtSigma, thirdWithoutCorrection
        case velocitySign
    }

    var kind: StepKind
    var prediction: SchedulerConfig.PredictionType
    var variance: SchedulerConfig.VarianceType
    /// Clip x̂₀ to [−c, c], or not.
    var clip: Double?
    var thresholding: Bool
    /// τ of the step's target (−1: the clean end).
    var previous: Int
    /// Where ᾱₜ is read: τ + shift.
    var alphaBarShift = 0
    /// DDIM's last step moves to ᾱ = 1 (else to ᾱ at τ = 0).
    var finalAlphaIsOne: Bool
    var slips: Set<Slip> = []

    init(config: SchedulerConfig, kind: StepKind, previous: Int) {
        self.kind = kind
        prediction = config.prediction
        variance = config.variance
        // diffusers' σ-level schedulers do not clip x̂₀; DPM-Solver++ may threshold it.
        clip = config.clipSample && !kind.isSigmaSpace ? config.clipRange : nil
        thresholding = config.thresholding && !kind.isEuler
        self.previous = previous
        finalAlphaIsOne = kind == .ddpm || config.setAlphaToOne
    }
}

/// The values a step's rule needs from the trace: ᾱ and β at every τ (the trace's own when
/// it recorded them, exact; else the configuration's, with their rounding bounds).
struct StepContext<P: RoundingUnit> {
    typealias B = Bounded<P>
    let alphaBar: [B]
    let beta: [B]
    let config: SchedulerConfig
    /// The recorded σ levels (σ-space steps move from level i to i + 1).
    var sigmas: [B]? = nil
    /// Where the steps' samples live (DPM-Solver++ may record either).
    var sampleSpace: SampleSpace = .vp

    /// ᾱ at τ; τ = −1 is the clean end (ᾱ = 1, or ᾱ at τ = 0 when `finalAlphaIsOne` is false).
    func alphaBar(_ tau: Int, finalAlphaIsOne: Bool = true) -> B? {
        if tau == -1 { return finalAlphaIsOne ? B.exact(1) : alphaBar.first }
        return alphaBar.indices.contains(tau) ? alphaBar[tau] : nil
    }

    /// x̂₀ and x_prev of `record` under `rule`, or nil when the rule does not apply (a τ off the schedule).
    /// `history`: the step before this one, for multistep solvers.
    func evaluate(_ record: StepRecord, rule: StepRule, history: StepRecord? = nil) -> (x0: [B], previous: [B])? {
        switch rule.kind {
        case .ddpm, .ddim: return evaluateTimestepStep(record, rule: rule)
        case .euler, .eulerAncestral: return evaluateSigmaStep(record, rule: rule)
        case .heun: return evaluateHeunStep(record, rule: rule)
        case .dpmSolver2: return evaluateSingleStepDPM(record, rule: rule, order: 2)
        case .dpmSolver3: return evaluateSingleStepDPM(record, rule: rule, order: 3)
        case .flowEuler: return evaluateFlowStep(record, rule: rule)
        case .dpmSolverPlusPlus2M: return evaluateDPMStep(record, rule: rule, history: history)
        }
    }

    /// A DDPM or DDIM step, between timesteps.
    func evaluateTimestepStep(_ record: StepRecord, rule: StepRule) -> (x0: [B], previous: [B])? {
        guard let alphaBarT = alphaBar(record.timestep + rule.alphaBarShift),
              let alphaBarS = alphaBar(rule.previous, finalAlphaIsOne: rule.finalAlphaIsOne)
        else { return nil }
        let final = rule.previous == -1
        let conversion = PredictionConversion<B>(alphaBar: alphaBarT)
        let n = record.modelOutput.count
        var epsilon: [B] = []
        var x0: [B] = []
        x0.reserveCapacity(n)
        for i in 0..<n {
            let (m, x) = (B.exact(record.modelOutput[i]), B.exact(record.sample[i]))
            switch rule.prediction {
            case .epsilon:
                epsilon.append(m)
                if rule.slips.contains(.x0SqrtSwapped) {
                    x0.append((x - conversion.signal * m) / conversion.noise)
                } else if rule.slips.contains(.x0NoSqrt) {
                    x0.append((x - (B(1) - alphaBarT) * m) / alphaBarT)
                } else {
                    x0.append(conversion.x0(fromEpsilon: m, xt: x))
                }
            case .sample:
                x0.append(m)
                epsilon.append(conversion.epsilon(fromX0: m, xt: x))
            case .vPrediction:
                x0.append(conversion.x0(fromV: m, xt: x))
                epsilon.append(conversion.epsilon(fromV: m, xt: x))
            }
        }
        if rule.thresholding {
            x0 = threshold(x0, batch: record.shape.first ?? 1)
        } else if let c = rule.clip {
            x0 = x0.map { B.minimum(B.maximum($0, B(-c)), B(c)) }
        }
        let z = record.noise
        var previous: [B] = []
        previous.reserveCapacity(n)
        switch rule.kind {
        case .euler, .eulerAncestral, .heun, .dpmSolverPlusPlus2M, .dpmSolver2, .dpmSolver3, .flowEuler:
            return nil  // σ-level steps: evaluateSigmaStep, evaluateDPMStep
        case .ddpm:
            var posterior = rule.slips.contains(.betaForSkip) && beta.indices.contains(record.timestep)
                ? SkipPosterior(
                    alphaBarPrevious: alphaBarS, oneMinusAlphaBar: B(1) - alphaBarT,
                    oneMinusAlphaBarPrevious: B(1) - alphaBarS, beta: beta[record.timestep])
                : SkipPosterior(alphaBar: alphaBarT, alphaBarPrevious: alphaBarS)
            if rule.slips.contains(.meanSwapped) {
                posterior = SkipPosterior(beta: posterior.beta, coef1: posterior.coef2, coef2: posterior.coef1, variance: posterior.variance)
            }
            var small = rule.slips.contains(.varianceUpsideDown)
                ? posterior.beta * (B(1) - alphaBarT) / (B(1) - alphaBarS) : posterior.variance
            // β̃ = 0 at the clean end; code that adds noise there floors it to take its log.
            if final, rule.slips.contains(.noiseAtLastStep) { small = B.maximum(small, B.exact(1e-20)) }
            let addsNoise = !rule.slips.contains(.noNoise) && (!final || rule.slips.contains(.noiseAtLastStep))
            for i in 0..<n {
                let mean = posterior.mean(x0: x0[i], xt: B.exact(record.sample[i]))
                guard addsNoise else {
                    previous.append(mean)
                    continue
                }
                // A trace without noise says the step added none, where the rule adds σz:
                // no recorded number can equal that (the no-noise mistake explains it).
                guard let z else {
                    previous.append(.unknown)
                    continue
                }
                let varianceValue: B
                switch rule.variance {
                case .fixedSmall, .fixedSmallLog: varianceValue = small
                case .fixedLarge, .fixedLargeLog: varianceValue = posterior.beta
                case .learned: varianceValue = B.exact(record.predictedVariance?[i] ?? .nan)
                case .learnedRange:
                    let fraction = (B.exact(record.predictedVariance?[i] ?? .nan) + B(1)) / B(2)
                    varianceValue = rule.slips.contains(.learnedRangeLinear)
                        ? fraction * posterior.beta + (B(1) - fraction) * small
                        : B.exp(fraction * B.log(posterior.beta) + (B(1) - fraction) * B.log(small))
                }
                let std = rule.slips.contains(.varianceAsStd) ? varianceValue
                    : rule.slips.contains(.sqrtOfLogVariance) ? B.log(varianceValue).squareRoot() : varianceValue.squareRoot()
                previous.append(mean + std * B.exact(z[i]))
            }
        case .ddim:
            let eta = B.exact(record.eta)
            var step = DDIMStep(alphaBar: alphaBarT, alphaBarPrevious: alphaBarS, eta: eta)
            if rule.slips.contains(.sigmaMissingRatio) || rule.slips.contains(.etaAsSigma) {
                let sigma = rule.slips.contains(.etaAsSigma) ? eta : eta * (B(1) - alphaBarT / alphaBarS).squareRoot()
                step = DDIMStep(alphaBarPrevious: alphaBarS, sigma: sigma, direction: B.maximum(B(1) - alphaBarS - sigma * sigma, B(0)).squareRoot())
            }
            if rule.slips.contains(.directionIgnoresSigma) {
                step = DDIMStep(alphaBarPrevious: alphaBarS, sigma: step.sigma, direction: (B(1) - alphaBarS).squareRoot())
            }
            for i in 0..<n {
                let noise = record.eta > 0 && !rule.slips.contains(.noNoise) ? z.map { B.exact($0[i]) } ?? .unknown : B.exact(0)
                previous.append(step.apply(x0: x0[i], epsilon: epsilon[i], z: noise))
            }
        }
        return (x0, previous)
    }

    /// Dynamic thresholding (Saharia et al. 2022, §2.3): per batch item, s = the
    /// `dynamic_thresholding_ratio` quantile of |x̂₀| (linear interpolation), clamped to
    /// [1, `sample_max_value`]; then x̂₀ ← clamp(x̂₀, −s, s)/s.
    func threshold(_ x0: [B], batch: Int) -> [B] {
        let size = x0.count / max(batch, 1)
        guard size > 0 else { return x0 }
        var result: [B] = []
        result.reserveCapacity(x0.count)
        for item in 0..<(x0.count / size) {
            let slice = Array(x0[(item * size)..<((item + 1) * size)])
            let sorted = slice.map(\.magnitude).sorted { $0.value < $1.value }
            let position = config.thresholdRatio * Double(size - 1)
            let low = Int(position.rounded(.down))
            let high = min(low + 1, size - 1)
            let quantile = sorted[low] + (sorted[high] - sorted[low]) * B.exact(position - Double(low))
            let s = B.minimum(B.maximum(quantile, B(1)), B(config.sampleMaxValue))
            result += slice.map { B.minimum(B.maximum($0, B.exact(0) - s), s) / s }
        }
        return result
    }
}
