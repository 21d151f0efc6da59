/// The known mistakes in a step, each a change of the reference's rule: the project's
/// mutation catalogue turned into a diagnosis library. A mistake is reported when its
/// numbers, on the trace's own inputs, equal what the code recorded.
struct StepMistake: Sendable {
    let id: String
    let explanation: String
    /// The step rules it can occur in.
    var kinds: Set<StepKind> = [.ddpm, .ddim]
    /// The rule with the mistake planted, or nil when it does not apply to this step.
    let plant: @Sendable (StepRule, StepSituation) -> StepRule?
}

/// What a mistake may depend on besides the rule.
struct StepSituation: Sendable {
    let timestep: Int
    let config: SchedulerConfig
    /// The recorded inference timesteps (nil when the trace has none).
    let timesteps: [Int]?
}

enum MistakeCatalogue {
    static func slip(_ slip: StepRule.Slip, only kind: StepKind? = nil, when condition: @escaping @Sendable (StepRule, StepSituation) -> Bool = { _, _ in true })
        -> @Sendable (StepRule, StepSituation) -> StepRule?
    {
        { rule, situation in
            guard kind == nil || rule.kind == kind, condition(rule, situation) else { return nil }
            var planted = rule
            planted.slips.insert(slip)
            return planted
        }
    }

    static let steps: [StepMistake] = [
        StepMistake(
            id: "ddpm.variance-upside-down",
            explanation: "the posterior variance is βₜ(1 − ᾱₜ)/(1 − ᾱₜ₋₁): the ratio is upside down; β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ (DDPM eq. 7)",
            plant: slip(.varianceUpsideDown, only: .ddpm) { rule, _ in [.fixedSmall, .fixedSmallLog, .learnedRange].contains(rule.variance) }),
        StepMistake(
            id: "ddpm.variance-as-std",
            explanation: "the noise is scaled by the variance σ² instead of the standard deviation σ (x = μ + σz, DDPM Algorithm 2)",
            plant: slip(.varianceAsStd, only: .ddpm)),
        StepMistake(
            id: "ddpm.large-for-small",
            explanation: "the step uses σ² = βₜ (fixed_large) where the configuration says β̃ₜ (fixed_small; DDPM §3.2)",
            plant: { rule, _ in
                guard rule.kind == .ddpm, [.fixedSmall, .fixedSmallLog].contains(rule.variance) else { return nil }
                var planted = rule
                planted.variance = .fixedLarge
                return planted
            }),
        StepMistake(
            id: "ddpm.small-for-large",
            explanation: "the step uses σ² = β̃ₜ (fixed_small) where the configuration says βₜ (fixed_large; DDPM §3.2)",
            plant: { rule, _ in
                guard rule.kind == .ddpm, [.fixedLarge, .fixedLargeLog].contains(rule.variance) else { return nil }
                var planted = rule
                planted.variance = .fixedSmall
                return planted
            }),
        StepMistake(
            id: "ddpm.sqrt-of-log-variance",
            explanation: "the noise is scaled by √(log σ²), the square root of the variance's logarithm (NaN, as log σ² < 0): a log-space variance was not exponentiated",
            plant: slip(.sqrtOfLogVariance, only: .ddpm)),
        StepMistake(
            id: "ddpm.learned-range-linear",
            explanation: "the learned variance interpolates σ² linearly between β̃ₜ and βₜ; Nichol & Dhariwal (2021, eq. 15) interpolate log σ²",
            plant: slip(.learnedRangeLinear, only: .ddpm) { rule, _ in rule.variance == .learnedRange }),
        StepMistake(
            id: "ddpm.noise-at-last-step",
            explanation: "noise is added at the last step, which moves to the clean end (with β̃ floored at 10⁻²⁰ where it is 0); DDPM Algorithm 2 sets z = 0 there",
            plant: slip(.noiseAtLastStep, only: .ddpm) { rule, _ in rule.previous == -1 }),
        StepMistake(
            id: "ddpm.no-noise",
            explanation: "no noise is added: the step returns the posterior mean μ̃ only (DDPM Algorithm 2 adds σₜz for t > 1)",
            plant: slip(.noNoise, only: .ddpm) { rule, _ in rule.previous != -1 }),
        StepMistake(
            id: "ddpm.alpha-bar-off-by-one",
            explanation: "ᾱₜ is read one index early (alphas_cumprod[τ − 1]): the timestep's ᾱ is at index τ (ᾱ of step t = τ + 1)",
            plant: { rule, situation in
                guard situation.timestep >= 1 else { return nil }
                var planted = rule
                planted.alphaBarShift = -1
                return planted
            }),
        StepMistake(
            id: "ddpm.consecutive-prev",
            explanation: "the step moves to τ − 1, but the sampler skips steps: the posterior must go to the next visited timestep (ᾱ of the next timestep, β = 1 − ᾱₜ/ᾱ_prev)",
            plant: { rule, situation in
                guard rule.previous != situation.timestep - 1 else { return nil }
                var planted = rule
                planted.previous = situation.timestep - 1
                return planted
            }),
        StepMistake(
            id: "ddpm.beta-for-skip",
            explanation: "the step uses the one-step βₜ although it skips steps; the skip's β is 1 − ᾱₜ/ᾱ_prev",
            plant: slip(.betaForSkip, only: .ddpm) { rule, situation in rule.previous != situation.timestep - 1 }),
        StepMistake(
            id: "ddpm.x0-sqrt-swapped",
            explanation: "x̂₀ = (xₜ − √ᾱₜ ε)/√(1 − ᾱₜ): the two square roots are swapped; x̂₀ = (xₜ − √(1 − ᾱₜ) ε)/√ᾱₜ (DDPM eq. 15)",
            plant: slip(.x0SqrtSwapped) { rule, _ in rule.prediction == .epsilon }),
        StepMistake(
            id: "ddpm.x0-no-sqrt",
            explanation: "x̂₀ = (xₜ − (1 − ᾱₜ) ε)/ᾱₜ: the square roots are missing; x̂₀ = (xₜ − √(1 − ᾱₜ) ε)/√ᾱₜ (DDPM eq. 15)",
            plant: slip(.x0NoSqrt) { rule, _ in rule.prediction == .epsilon }),
        StepMistake(
            id: "ddpm.mean-coefficients-swapped",
            explanation: "the coefficients of x̂₀ and xₜ in the posterior mean are exchanged; μ̃ = √ᾱ_prev β/(1 − ᾱₜ)·x̂₀ + √α (1 − ᾱ_prev)/(1 − ᾱₜ)·xₜ (DDPM eq. 7)",
            plant: slip(.meanSwapped, only: .ddpm)),
        StepMistake(
            id: "ddpm.clip-missing",
            explanation: "x̂₀ is not clipped although the configuration says clip_sample",
            plant: { rule, _ in
                guard rule.clip != nil, !rule.thresholding else { return nil }
                var planted = rule
                planted.clip = nil
                return planted
            }),
        StepMistake(
            id: "ddpm.clip-unasked",
            explanation: "x̂₀ is clipped to [−1, 1] although the configuration says clip_sample: false",
            plant: { rule, _ in
                guard rule.clip == nil, !rule.thresholding else { return nil }
                var planted = rule
                planted.clip = 1
                return planted
            }),
        StepMistake(
            id: "ddim.sigma-missing-ratio",
            explanation: "σ = η√(1 − ᾱₜ/ᾱ_prev) misses the factor √((1 − ᾱ_prev)/(1 − ᾱₜ)) of DDIM eq. 16",
            plant: slip(.sigmaMissingRatio, only: .ddim) { rule, _ in rule.previous != -1 }),
        StepMistake(
            id: "ddim.direction-ignores-sigma",
            explanation: "the direction term is √(1 − ᾱ_prev)·ε; with η > 0 it is √(1 − ᾱ_prev − σ²)·ε (DDIM eq. 12)",
            plant: slip(.directionIgnoresSigma, only: .ddim)),
        StepMistake(
            id: "ddim.eta-as-sigma",
            explanation: "σ = η: η is a scale of DDIM's σ(η) = η√((1 − ᾱ_prev)/(1 − ᾱₜ))√(1 − ᾱₜ/ᾱ_prev) (eq. 16), not σ itself",
            plant: slip(.etaAsSigma, only: .ddim)),
        StepMistake(
            id: "ddim.prev-by-stride",
            explanation: "the step moves to τ − ⌊T/K⌋ instead of the next timestep the sampler visits; the two differ for this spacing (diffusers issues 9261, 11347, 12633)",
            plant: { rule, situation in
                guard let timesteps = situation.timesteps, !timesteps.isEmpty else { return nil }
                let target = situation.timestep - situation.config.trainSteps / timesteps.count
                let previous = target < 0 ? -1 : target
                guard previous != rule.previous else { return nil }
                var planted = rule
                planted.previous = previous
                return planted
            }),
        StepMistake(
            id: "ddim.final-alpha-flipped",
            explanation: "the last step moves to the other final ᾱ than set_alpha_to_one says (1 when true, ᾱ at τ = 0 when false)",
            plant: { rule, _ in
                guard rule.kind == .ddim, rule.previous == -1 else { return nil }
                var planted = rule
                planted.finalAlphaIsOne.toggle()
                return planted
            }),
    ] + sigmaSteps + heunSteps + singleStepDPMSteps + flowSteps + dpmSteps + SchedulerConfig.PredictionType.allCases.map { other in
        StepMistake(
            id: "prediction.read-as-\(other == .vPrediction ? "v" : other.rawValue)",
            explanation: "the model output is read as \(other.rawValue) although the configuration says another prediction type (conversions: DDPM eq. 15; v = √ᾱ ε − √(1 − ᾱ) x₀, Salimans & Ho 2022)",
            kinds: Set(StepKind.allCases).subtracting([.flowEuler]),
            plant: { rule, _ in
                guard rule.prediction != other else { return nil }
                var planted = rule
                planted.prediction = other
                return planted
            })
    }

    /// DPM-Solver++(2M)'s mistakes.
    static let dpmSteps: [StepMistake] = [
        StepMistake(
            id: "dpm.first-order-only",
            explanation: "every step is first order (DDIM in λ): the multistep correction −½α'(e^{−h} − 1)·D₁ with D₁ = (x̂₀ − x̂₀₋₁)/r is missing (Lu et al. 2022, DPM-Solver++ Algorithm 2)",
            kinds: [.dpmSolverPlusPlus2M], plant: slip(.firstOrderOnly)),
        StepMistake(
            id: "dpm.r-inverted",
            explanation: "D₁ = r·(x̂₀ − x̂₀₋₁): the ratio r = h₋₁/h is inverted; D₁ = (x̂₀ − x̂₀₋₁)/r",
            kinds: [.dpmSolverPlusPlus2M], plant: slip(.rInverted)),
        StepMistake(
            id: "dpm.h-reversed",
            explanation: "h = λ − λ' has the wrong sign: the step size in λ = log(α/σ) is h = λ' − λ > 0",
            kinds: [.dpmSolverPlusPlus2M], plant: slip(.hReversed)),
        StepMistake(
            id: "dpm.previous-epsilon",
            explanation: "the second-order term uses the previous raw model output instead of the previous x̂₀: DPM-Solver++ works on data predictions",
            kinds: [.dpmSolverPlusPlus2M], plant: slip(.previousEpsilon) { rule, _ in rule.prediction != .sample }),
        StepMistake(
            id: "dpm.no-lower-order-final",
            explanation: "the last step is second order where the rule says first order (the final level is 0, euler_at_final, or lower_order_final with K < 15): a second-order step there is unstable",
            kinds: [.dpmSolverPlusPlus2M], plant: slip(.noLowerOrderFinal)),
    ]

    /// Heun's mistakes.
    static let heunSteps: [StepMistake] = [
        StepMistake(
            id: "heun.no-correction",
            explanation: "the step stops at the Euler predictor x̃ = x + (σ' − σ)·d: Heun's correction x' = x + (σ' − σ)·(d + d')/2 is missing (Karras et al. 2022, Algorithm 1, line 8)",
            kinds: [.heun], plant: slip(.noCorrection)),
        StepMistake(
            id: "heun.slope-at-current-level",
            explanation: "the second slope is taken at σ instead of σ': at the predictor x̃ the level is σ', so x̂₀' and d' = (x̃ − x̂₀')/σ' use σ' (Karras et al. 2022, Algorithm 1, line 7). With ε-prediction the two agree (d' = ε̂' either way), so only x₀ and v models show it",
            kinds: [.heun], plant: slip(.slopeAtCurrentLevel) { rule, _ in rule.prediction != .epsilon }),
        StepMistake(
            id: "heun.restart-from-predictor",
            explanation: "the corrected step starts from the predictor x̃; it starts again from x: x' = x + (σ' − σ)·(d + d')/2",
            kinds: [.heun], plant: slip(.restartFromPredictor)),
        StepMistake(
            id: "heun.second-slope-only",
            explanation: "the step uses the second slope d' alone; Heun averages both, (d + d')/2 (the trapezoidal rule)",
            kinds: [.heun], plant: slip(.secondSlopeOnly)),
    ]

    /// Flow-matching Euler's mistakes.
    static let flowSteps: [StepMistake] = [
        StepMistake(
            id: "flow.velocity-sign",
            explanation: "the step goes the wrong way, x − (σ' − σ)·v: the velocity is read in the opposite convention, x₀ − ε (rectified flow with time running from noise to data), or the step as σ − σ'; on the path x = (1 − σ)x₀ + σε, dx/dσ = ε − x₀ and x' = x + (σ' − σ)·v (the two slips give the same numbers)",
            kinds: [.flowEuler], plant: slip(.velocitySign)),
    ]

    /// Singlestep DPM-Solver's mistakes.
    static let singleStepDPMSteps: [StepMistake] = [
        StepMistake(
            id: "dpm-solver.linear-stage-levels",
            explanation: "the intermediate levels are spaced linearly in σ, σ + r(σ' − σ); DPM-Solver places them evenly in λ = −log σ, s = σ·e^{−rh} (for order 2 the geometric mean √(σσ'); Lu et al. 2022, Algorithm 1)",
            kinds: [.dpmSolver2, .dpmSolver3], plant: slip(.linearStageLevels)),
        StepMistake(
            id: "dpm-solver.first-order-only",
            explanation: "the step is x' = x − σ'(eʰ − 1)ε̂₀, DPM-Solver-1 (DDIM): the intermediate evaluations are computed and ignored (Lu et al. 2022, Algorithms 1–2)",
            kinds: [.dpmSolver2, .dpmSolver3], plant: slip(.firstOrderOnly)),
        StepMistake(
            id: "dpm-solver.stage-at-sigma",
            explanation: "an intermediate evaluation's ε̂ is formed with the step's σ instead of its own level s: ε̂ = (u − x̂₀)/s at s. With ε-prediction the two agree, so only x₀ and v models show it",
            kinds: [.dpmSolver2, .dpmSolver3], plant: slip(.stageAtSigma) { rule, _ in rule.prediction != .epsilon }),
        StepMistake(
            id: "dpm-solver.third-without-correction",
            explanation: "the second intermediate point misses −s₂(r₂/r₁)((e^{r₂h} − 1)/(r₂h) − 1)(ε̂(u₁, s₁) − ε̂₀) (Lu et al. 2022, Algorithm 2): the step is no longer third order",
            kinds: [.dpmSolver3], plant: slip(.thirdWithoutCorrection)),
    ]

    /// The σ-space samplers' mistakes.
    static let sigmaSteps: [StepMistake] = [
        StepMistake(
            id: "euler.derivative-at-next",
            explanation: "the slope is (x − x̂₀)/σ' with the next level; the ODE's slope at the current point is (x − x̂₀)/σ (Karras et al. 2022, eq. 4)",
            kinds: [.euler, .eulerAncestral], plant: slip(.derivativeAtNext)),
        StepMistake(
            id: "euler.dt-reversed",
            explanation: "the step is σ − σ' instead of σ' − σ: it moves up the noise levels",
            kinds: [.euler, .eulerAncestral, .heun, .dpmSolver2, .dpmSolver3], plant: slip(.dtReversed)),
        StepMistake(
            id: "euler.unscaled-sample",
            explanation: "x̂₀ = x√(σ² + 1) − σε treats the scaled sample x = xₜ/√ᾱ as the VP sample xₜ; in σ-space x̂₀ = x − σε",
            kinds: [.euler, .eulerAncestral, .heun], plant: slip(.unscaledSample) { rule, _ in rule.prediction == .epsilon }),
        StepMistake(
            id: "euler-a.sigma-up-unscaled",
            explanation: "σ_up = √(σ² − σ'²) misses the factor σ'²/σ²; σ_up = √(σ'²(σ² − σ'²)/σ²), σ_down = √(σ'² − σ_up²)",
            kinds: [.eulerAncestral], plant: slip(.sigmaUpUnscaled)),
        StepMistake(
            id: "euler-a.sigma-up-unscaled",
            explanation: "σ_up = √(σ² − σ'²) misses the factor σ'²/σ²; σ_up = √(σ'²(σ² − σ'²)/σ²), σ_down = √(σ'² − σ_up²) (here with σ'² − σ_up² clamped at 0)",
            kinds: [.eulerAncestral], plant: slip(.sigmaUpUnscaledClamped)),
        StepMistake(
            id: "euler-a.no-split",
            explanation: "the deterministic part goes all the way to σ' and the noise σ_up comes on top: the sample ends above σ'; the step must go to σ_down = √(σ'² − σ_up²)",
            kinds: [.eulerAncestral], plant: slip(.noSplit)),
        StepMistake(
            id: "euler-a.no-noise",
            explanation: "the step goes to σ_down and adds no noise: the sample ends below σ' (σ_up·z is missing)",
            kinds: [.eulerAncestral], plant: slip(.noNoise)),
    ]
}
