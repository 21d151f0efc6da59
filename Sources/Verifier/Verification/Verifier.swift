import ForwardProcess

/// `lessons verify`: every recorded quantity of a trace against the project's own math.
public enum Verify {
    public static func run(_ trace: Trace) -> VerificationReport {
        switch trace.precision {
        case .float64: return Verifier<Float64Rounding>(trace).report()
        case .float32: return Verifier<Float32Rounding>(trace).report()
        case .float16: return Verifier<Float16Rounding>(trace).report()
        case .bfloat16: return Verifier<BFloat16Rounding>(trace).report()
        }
    }
}

extension Verify {
    /// A configuration on its own: what its schedule and spacing mean for a sampler. No value
    /// is checked (there is no trace); the notes say what the configuration implies.
    public static func describe(_ config: SchedulerConfig, ignored: [String], steps: Int) -> VerificationReport {
        let alphaBar = BetaFormula.alphaBar(config.betas(as: Double.self))
        var notes = ignored.isEmpty ? [] : ["not used by the verifier: \(ignored.joined(separator: ", "))"]
        if let last = alphaBar.last, last > 0 {
            notes.append("ᾱ_T = \(VerifyFormat.number(last)): x_T keeps √ᾱ_T = \(VerifyFormat.number(last.squareRoot())) of the signal while sampling starts from pure noise (a signal leak, Lin et al. 2024 §3.1); rescale_betas_zero_snr makes ᾱ_T = 0")
        } else {
            notes.append("ᾱ_T = 0: zero terminal SNR (ε-prediction is undefined at t = T; v- or x₀-prediction is needed, Lin et al. 2024 §3.2)")
        }
        let timesteps = config.spacing.timesteps(steps, trainSteps: config.trainSteps, offset: config.stepsOffset)
        let shown = timesteps.count <= 8 ? timesteps.map(String.init) : timesteps.prefix(4).map(String.init) + ["…"] + timesteps.suffix(2).map(String.init)
        notes.append("\(steps) steps with \(config.spacing.rawValue) spacing visit τ = \(shown.joined(separator: ", "))"
            + (timesteps.max().map { $0 < config.trainSteps - 1 ? "; they never visit τ = \(config.trainSteps - 1) (t = T), trailing spacing does (Lin et al. 2024 §3.3)" : "" } ?? ""))
        return VerificationReport(passed: 0, failed: 0, precision: "", producer: [:], config: config.summary(for: nil), notes: notes, findings: [])
    }
}

/// Numbers in reference texts: seven significant digits.
enum VerifyFormat {
    static func number(_ x: Double) -> String { String(format: "%.7g", x) }
}

/// The comparison of recorded values with rounding-bounded references.
struct Comparison {
    let pass: Bool
    /// The first element outside its bound, or (when all pass) the one closest to its bound.
    let index: Int?

    init<P>(got: [Double], expected: [Bounded<P>]) {
        precondition(got.count == expected.count)
        var worst: (index: Int, ratio: Double)?
        for i in got.indices {
            if !expected[i].admits(got[i]) {
                pass = false
                index = i
                return
            }
            let ratio = expected[i].value.isFinite ? abs(got[i] - expected[i].value) / max(expected[i].tolerance, .leastNonzeroMagnitude) : 0
            if worst == nil || ratio > worst!.ratio { worst = (i, ratio) }
        }
        pass = true
        index = worst?.index
    }
}

struct Verifier<P: RoundingUnit> {
    typealias B = Bounded<P>
    let trace: Trace
    let configBeta: [B]
    let configAlphaBar: [B]
    /// What every step is evaluated with: the trace's own ᾱ and β when it recorded them
    /// (exact: the code used them), else the configuration's.
    let stepContext: StepContext<P>
    /// β for the formula records: the recorded one; else, when the trace recorded ᾱ,
    /// 1 − ᾱτ/ᾱτ₋₁ from it (as diffusers derives it; its bound covers the cancellation where β
    /// is small, and with it code that reads the configured β); else the configuration's.
    let formulaBeta: [B]

    init(_ trace: Trace) {
        self.trace = trace
        configBeta = Self.betas(trace.config)
        configAlphaBar = BetaFormula.alphaBar(configBeta)
        var betas = configBeta
        var recordedBetas = false
        for case .betas(let values) in trace.records {
            betas = values.map(B.exact)
            recordedBetas = true
        }
        let recordedAlphaBar = trace.alphasCumprod.map { $0.map(B.exact) }
        stepContext = StepContext(
            alphaBar: recordedAlphaBar ?? configAlphaBar, beta: betas, config: trace.config,
            sigmas: trace.sigmas?.map(B.exact), sampleSpace: trace.sampleSpace)
        if !recordedBetas, let bars = recordedAlphaBar {
            formulaBeta = bars.indices.map { i in B(1) - bars[i] / (i == 0 ? B.exact(1) : bars[i - 1]) }
        } else {
            formulaBeta = betas
        }
    }

    /// The configuration's βs with their rounding bounds. The cosine βs are computed in
    /// Double and stored in the trace's dtype (diffusers' `betas_for_alpha_bar` uses Python
    /// floats): near t = T the formula divides by cos² ≈ 0, and evaluated in Float32 it could
    /// not tell the 0.999 clip from 1.
    static func betas(_ config: SchedulerConfig, maxBeta: Double = 0.999) -> [B] {
        guard config.betaSchedule == .cosine, config.trainedBetas == nil else { return config.betas(as: B.self) }
        let computed: [Bounded<Float64Rounding>] = BetaFormula.cosine(steps: config.trainSteps, offset: 0.008, maxBeta: maxBeta)
        let stored = computed.map { B(value: $0.value, error: $0.error + B.u * abs($0.value)) }
        return config.rescaleZeroSNR ? BetaFormula.rescaledToZeroTerminalSNR(stored) : stored
    }

    func report() -> VerificationReport {
        var findings: [Finding] = []
        let timesteps = trace.timesteps
        var stepsByIndex: [Int: StepRecord] = [:]  // the steps seen so far, for multistep solvers
        var notes = trace.ignoredConfigKeys.isEmpty ? [] : ["not used by the verifier: \(trace.ignoredConfigKeys.joined(separator: ", "))"]
        for (position, record) in trace.records.enumerated() {
            switch record {
            case .betas(let values):
                findings.append(scheduleFinding("betas", record: position, got: values, expected: configBeta, variants: betaVariants()))
            case .alphasCumprod(let values):
                findings.append(scheduleFinding("alphas_cumprod", record: position, got: values, expected: configAlphaBar, variants: alphaBarVariants()))
            case .timesteps(let k, let values):
                findings.append(trace.scheduler == .flowEuler
                    ? flowTimestepsFinding(record: position, k: k, got: values)
                    : timestepsFinding(record: position, k: k, got: values, notes: &notes))
            case .sigmas(let values):
                findings.append(trace.scheduler == .flowEuler ? flowSigmasFinding(record: position, got: values) : sigmasFinding(record: position, got: values))
            case .step(let step):
                let history = step.index.flatMap { i in stepsByIndex[i - 1] }
                findings += stepFindings(step, record: position, timesteps: timesteps, history: history, notes: &notes)
                if let i = step.index { stepsByIndex[i] = step }
            case .formula(let formula):
                findings += formulaFindings(formula, record: position)
            }
        }
        let failed = findings.count { !$0.pass }
        return VerificationReport(
            passed: findings.count - failed, failed: failed, precision: trace.precision.rawValue, producer: trace.producer,
            config: trace.config.summary(for: trace.scheduler), notes: notes, findings: findings)
    }

    // MARK: schedules

    func element(_ got: [Double], _ expected: [B], at index: Int?) -> (expected: Double?, got: Double?, relative: Double?, tolerance: Double?) {
        guard let index else { return (nil, nil, nil, nil) }
        let e = expected[index], g = got[index]
        let scale = abs(e.value)
        return (e.value, g, scale > 0 ? abs(g - e.value) / scale : abs(g - e.value), scale > 0 ? e.tolerance / scale : e.tolerance)
    }

    func scheduleFinding(_ quantity: String, record: Int, got: [Double], expected: [B], variants: [(String, String, [B])]) -> Finding {
        let comparison = Comparison(got: got, expected: expected)
        let at = element(got, expected, at: comparison.index)
        let diagnoses = comparison.pass ? [] : variants.compactMap { id, explanation, values in
            Comparison(got: got, expected: values).pass ? Diagnosis(id: id, explanation: explanation) : nil
        }
        return Finding(
            quantity: quantity, record: record, t: comparison.index, index: comparison.index, expected: at.expected, got: at.got,
            relativeError: at.relative, tolerance: at.tolerance, checked: got.count, pass: comparison.pass,
            reference: "\(quantity) of \(trace.config.scheduleSummary), in \(trace.precision.rawValue) rounding",
            diagnoses: diagnoses)
    }

    func betaVariants() -> [(String, String, [B])] {
        var variants: [(String, String, [B])] = []
        var config = trace.config
        if config.rescaleZeroSNR {
            config.rescaleZeroSNR = false
            variants.append(("schedule.zero-snr-missing", "the βs are not rescaled to zero terminal SNR although the configuration says rescale_betas_zero_snr (Lin et al. 2024, Algorithm 1)", Self.betas(config)))
            variants.append(("schedule.naive-zero-snr", "the rescale computes βₜ = 1 − ᾱ′ₜ/ᾱ′ₜ₋₁ by subtraction, as Algorithm 1 of Lin et al. (2024) is written: where βₜ is small the subtraction loses most digits (the cancellation-free form: BetaFormula.rescaledToZeroTerminalSNR)", naiveZeroSNR(Self.betas(config))))
        } else if config.trainSteps >= 2 {
            config.rescaleZeroSNR = true
            variants.append(("schedule.zero-snr-unasked", "the βs are rescaled to zero terminal SNR although the configuration does not ask for it", Self.betas(config)))
        }
        if trace.config.betaSchedule == .cosine, trace.config.trainedBetas == nil, !trace.config.rescaleZeroSNR {
            variants.append(("schedule.cosine-unclipped", "the cosine βs are not clipped at 0.999 (Nichol & Dhariwal 2021, eq. 17 and below): the last steps are singular", Self.betas(trace.config, maxBeta: 1)))
        }
        return variants
    }

    func alphaBarVariants() -> [(String, String, [B])] {
        var variants = betaVariants().map { id, explanation, betas in (id, explanation, BetaFormula.alphaBar(betas)) }
        if trace.config.rescaleZeroSNR, let last = configAlphaBar.indices.last {
            var floored = configAlphaBar
            floored[last] = B.exact(0x1p-24)
            variants.append(("schedule.terminal-floor", "ᾱ_T is replaced by 2⁻²⁴ instead of the 0 zero terminal SNR gives (diffusers' Euler-type schedulers do this so that σ_T = √((1 − ᾱ_T)/ᾱ_T) stays finite): x_T keeps a signal of scale 2⁻¹²", floored))
        }
        variants.append(("schedule.off-by-one", "alphas_cumprod is shifted by one: it starts at 1 (ᾱ₀) where index τ must hold ᾱ of step τ + 1 = (1 − β₁)⋯(1 − β_{τ+1})", [B.exact(1)] + configAlphaBar.dropLast()))
        variants.append(("schedule.alpha-not-cumulative", "alphas_cumprod holds αₜ = 1 − βₜ, not the cumulative product ᾱₜ = α₁⋯αₜ (DDPM eq. 4)", configBeta.map { B(1) - $0 }))
        if P.precision == .float64 {
            let single = BetaFormula.alphaBar(trace.config.betas(as: Bounded<Float32Rounding>.self))
            variants.append(("schedule.float32-cumprod", "ᾱ was accumulated in float32 although the trace is float64: the product's rounding grows with t", single.map { B(value: $0.value, error: $0.error) }))
        }
        return variants
    }

    /// Lin et al. (2024) Algorithm 1 as written: ᾱ′ from the shifted and scaled √ᾱ, then βₜ = 1 − ᾱ′ₜ/ᾱ′ₜ₋₁.
    func naiveZeroSNR(_ beta: [B]) -> [B] {
        let roots = BetaFormula.alphaBar(beta).map { $0.squareRoot() }
        guard let first = roots.first, let last = roots.last else { return beta }
        let bars = roots.map { root -> B in
            let shifted = (root - last) * first / (first - last)
            return shifted * shifted
        }
        return bars.indices.map { i in B(1) - (i == 0 ? bars[0] : bars[i] / bars[i - 1]) }
    }

    // MARK: timesteps

    /// The K timesteps `spacing` gives. σ-space schedulers keep linspace's values unrounded
    /// (diffusers' Euler schedulers interpolate σ between training steps).
    func timesteps(_ spacing: SchedulerConfig.Spacing, _ k: Int, offset: Int) -> [Double] {
        let t = trace.config.trainSteps
        if trace.scheduler == .dpmSolverPlusPlus2M, spacing != .trailing {
            // DPM-Solver's linspace and leading lay K + 1 points and drop the last (τ = 0).
            if spacing == .linspace {
                return (1...k).reversed().map { i in (Double(i) * Double(t - 1) / Double(k)).rounded(.toNearestOrEven) }
            }
            return (1...k).reversed().map { i in Double(i * (t / (k + 1)) + offset) }
        }
        if spacing == .linspace, trace.scheduler?.isEuler == true, k > 1 {
            let step = Double(trace.config.trainSteps - 1) / Double(k - 1)
            return (0..<k).map { i in i == k - 1 ? Double(trace.config.trainSteps - 1) : Double(i) * step }.reversed()
        }
        return spacing.timesteps(k, trainSteps: trace.config.trainSteps, offset: offset).map(Double.init)
    }

    func timestepsFinding(record: Int, k: Int, got: [Double], notes: inout [String]) -> Finding {
        let config = trace.config
        let karras = config.useKarrasSigmas && trace.scheduler?.isSigmaSpace == true
        var expected = karras ? karrasTimesteps(k) : timesteps(config.spacing, k, offset: config.stepsOffset)
        // DPM-Solver rounds the Karras levels' positions to training steps (not for the cosine schedule).
        let roundedKarras = karras && trace.scheduler == .dpmSolverPlusPlus2M && config.betaSchedule != .cosine
        if roundedKarras { expected = expected.map { $0.rounded(.toNearestOrEven) } }
        // Timesteps are exact integers or linspace's values, stored in the trace's dtype.
        func matches(_ reference: [Double]) -> Comparison? {
            reference.count == got.count ? Comparison(got: got, expected: reference.map { B(value: $0, error: 0) }) : nil
        }
        let comparison = karras && !roundedKarras
            ? (expected.count == got.count ? Comparison(got: got, expected: karrasTimestepsBounded(k)) : nil) : matches(expected)
        let pass = comparison?.pass ?? false
        var diagnoses: [Diagnosis] = []
        if !pass, !karras {
            for spacing in SchedulerConfig.Spacing.allCases where spacing != config.spacing {
                if matches(timesteps(spacing, k, offset: spacing == .leading ? config.stepsOffset : 0))?.pass == true {
                    diagnoses.append(Diagnosis(id: "timesteps.spacing-\(spacing.rawValue)", explanation: "the timesteps follow the \(spacing.rawValue) spacing, not the configuration's \(config.spacing.rawValue) (Lin et al. 2024, Table 2)"))
                }
            }
            if config.spacing == .leading, config.stepsOffset != 0, matches(timesteps(.leading, k, offset: 0))?.pass == true {
                diagnoses.append(Diagnosis(id: "timesteps.steps-offset-ignored", explanation: "steps_offset = \(config.stepsOffset) is not added to the leading timesteps"))
            }
            if matches(expected.reversed())?.pass == true {
                diagnoses.append(Diagnosis(id: "timesteps.ascending", explanation: "the timesteps run upward; a sampler visits them from the noisiest (largest τ) down"))
            }
        }
        if let top = got.max(), top < Double(config.trainSteps - 1) {
            notes.append("the sampler never visits τ = \(config.trainSteps - 1) (t = T): it starts at τ = \(Self.text(top)), from ᾱ > ᾱ_T, while its input is pure noise; trailing spacing starts at T (Lin et al. 2024, §3.3)")
        }
        let index = comparison?.index ?? min(got.count, expected.count)
        let e = expected.indices.contains(index) ? expected[index] : nil
        let g = got.indices.contains(index) ? got[index] : nil
        return Finding(
            quantity: "timesteps", record: record, t: g.map { Int($0.rounded()) }, index: index, expected: e, got: g,
            relativeError: e.flatMap { e in g.map { g in e == 0 ? abs(g) : abs(g - e) / abs(e) } }, tolerance: B.u,
            checked: got.count, pass: pass,
            reference: karras
                ? "\(k) timesteps: each Karras level's position between training steps, by linear interpolation in log σ"
                : "\(k) timesteps, \(config.spacing.rawValue) spacing\(config.stepsOffset != 0 ? ", steps_offset \(config.stepsOffset)" : ""): \(abbreviated(expected))",
            diagnoses: diagnoses)
    }

    static func text(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }

    func abbreviated(_ values: [Double]) -> String {
        let shown = values.count <= 8 ? values.map(Self.text) : values.prefix(4).map(Self.text) + ["…"] + values.suffix(2).map(Self.text)
        return shown.joined(separator: ", ")
    }

    // MARK: steps

    func stepFindings(_ step: StepRecord, record: Int, timesteps: [Int]?, history: StepRecord?, notes: inout [String]) -> [Finding] {
        let kind = trace.scheduler ?? .ddpm
        var previous = step.timestep - 1
        if let timesteps {
            if let i = timesteps.firstIndex(of: step.timestep) {
                previous = i + 1 < timesteps.count ? timesteps[i + 1] : -1
            } else {
                notes.append("step at τ = \(step.timestep) (record \(record)) is not among the recorded timesteps; its reference moves to τ − 1")
            }
        }
        let rule = StepRule(config: trace.config, kind: kind, previous: previous)
        let situation = StepSituation(timestep: step.timestep, config: trace.config, timesteps: timesteps)
        let final = previous == -1
        let lastLevel = kind.isSigmaSpace && (step.index ?? 0) + 1 == (trace.sigmas?.count ?? 0) - 1 && trace.sigmas?.last == 0
        if step.noise == nil, !final, kind == .ddpm || step.eta > 0 || (kind == .eulerAncestral && !lastLevel) {
            notes.append("step at τ = \(step.timestep) (record \(record)) should add noise, and the trace says it added none (noise: null): its prev_sample cannot equal the reference")
        }
        guard let reference = stepContext.evaluate(step, rule: rule, history: history) else {
            return [Finding(quantity: "step.prev_sample", record: record, t: step.timestep, index: nil, expected: nil, got: nil, relativeError: nil, tolerance: nil, checked: 0, pass: false, reference: "no ᾱ at τ = \(step.timestep)", diagnoses: [])]
        }
        var outputs: [(String, [Double], [B])] = []
        if let x0 = step.predOriginalSample { outputs.append(("step.pred_original_sample", x0, reference.x0)) }
        if kind == .heun, let recorded = step.predictorSample, let predictor = stepContext.heunPredictor(step, rule: rule) {
            outputs.append(("step.predictor_sample", recorded, predictor))
        }
        if let order = kind.singleStepOrder, let parts = stepContext.singleStepStages(step, rule: rule, order: order) {
            for (k, stage) in (step.stages ?? []).enumerated() where parts.stages.indices.contains(k) {
                if let recorded = stage.sample { outputs.append(("step.stage_sample[\(k)]", recorded, parts.stages[k])) }
            }
        }
        outputs.append(("step.prev_sample", step.prevSample, reference.previous))
        let comparisons = outputs.map { Comparison(got: $0.1, expected: $0.2) }
        var diagnoses: [Diagnosis] = []
        if comparisons.contains(where: { !$0.pass }) {
            for mistake in MistakeCatalogue.steps where mistake.kinds.contains(kind) {
                guard let planted = mistake.plant(rule, situation), let values = stepContext.evaluate(step, rule: planted, history: history) else { continue }
                let matches = outputs.allSatisfy { name, got, _ in
                    let expected: [B]
                    if name == "step.prev_sample" {
                        expected = values.previous
                    } else if name == "step.predictor_sample" {
                        expected = stepContext.heunPredictor(step, rule: planted) ?? []
                    } else if name.hasPrefix("step.stage_sample["), let order = kind.singleStepOrder,
                              let k = Int(name.dropFirst("step.stage_sample[".count).dropLast()),
                              let stages = stepContext.singleStepStages(step, rule: planted, order: order)?.stages, stages.indices.contains(k) {
                        expected = stages[k]
                    } else {
                        expected = name == "step.pred_original_sample" ? values.x0 : []
                    }
                    return expected.count == got.count && Comparison(got: got, expected: expected).pass
                }
                if matches, !diagnoses.contains(where: { $0.id == mistake.id }) {
                    diagnoses.append(Diagnosis(id: mistake.id, explanation: mistake.explanation))
                }
            }
        }
        let describe = { (t: Int) in t == -1 ? (kind == .ddim && !trace.config.setAlphaToOne ? "the end (ᾱ at τ = 0)" : "the clean end (ᾱ = 1)") : "τ = \(t)" }
        let text: String
        if kind.isSigmaSpace {
            let levels = trace.sigmas ?? []
            let index = step.index ?? -1
            let level = { (i: Int) in levels.indices.contains(i) ? VerifyFormat.number(levels[i]) : "?" }
            let name = [StepKind.euler: "Euler step", .eulerAncestral: "Euler ancestral step", .heun: "Heun step",
                        .dpmSolver2: "DPM-Solver-2 step", .dpmSolver3: "DPM-Solver-3 step", .flowEuler: "flow-matching Euler step"][kind] ?? "DPM-Solver++(2M) step"
            text = "\(name)\(trace.sampleSpace == .scaled && kind == .dpmSolverPlusPlus2M ? " (scaled sample)" : "") \(index) from σ = \(level(index)) to σ = \(level(index + 1))\(kind == .flowEuler ? ", velocity" : ", " + trace.config.prediction.rawValue)"
        } else {
            text = "\(kind == .ddpm ? "DDPM posterior step" : "DDIM step (η = \(step.eta))") from τ = \(step.timestep) to \(describe(previous)), \(trace.config.prediction.rawValue)\(kind == .ddpm ? ", " + trace.config.variance.rawValue : "")\(trace.config.thresholding ? ", dynamic thresholding" : trace.config.clipSample ? ", clip ±\(trace.config.clipRange)" : "")"
        }
        return zip(outputs, comparisons).map { output, comparison in
            let at = element(output.1, output.2, at: comparison.index)
            return Finding(
                quantity: output.0, record: record, t: step.timestep, index: comparison.index, expected: at.expected, got: at.got,
                relativeError: at.relative, tolerance: at.tolerance, checked: output.1.count, pass: comparison.pass,
                reference: text, diagnoses: comparison.pass ? [] : diagnoses)
        }
    }
}
