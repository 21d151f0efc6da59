/// What someone else's diffusion code computed, with every input it used (docs/trace-format.md).
///
/// Timesteps are diffusers' 0-based τ = 0 … T − 1: ᾱ at τ is the lessons' ᾱₜ with t = τ + 1.
public struct Trace: Sendable {
    public static let formatName = "difftrace"
    public static let versions = [1]

    public var version: Int
    /// Free-form strings about who wrote the trace (shown, never used in the math).
    public var producer: [String: String]
    public var precision: Precision
    /// Where the step records' samples live.
    public var sampleSpace: SampleSpace = .vp
    /// The step rule the `step` records claim to follow.
    public var scheduler: StepKind?
    public var config: SchedulerConfig
    /// Config keys the verifier does not use (listed in the report).
    public var ignoredConfigKeys: [String]
    public var records: [TraceRecord]

    public init(
        version: Int = 1, producer: [String: String] = [:], precision: Precision, scheduler: StepKind?,
        config: SchedulerConfig, ignoredConfigKeys: [String] = [], records: [TraceRecord], sampleSpace: SampleSpace? = nil
    ) {
        self.sampleSpace = sampleSpace ?? scheduler?.sampleSpaces.first ?? .vp
        self.version = version
        self.producer = producer
        self.precision = precision
        self.scheduler = scheduler
        self.config = config
        self.ignoredConfigKeys = ignoredConfigKeys
        self.records = records
    }

    /// The recorded inference timesteps as integers, if any and if they are integers.
    public var timesteps: [Int]? {
        for case .timesteps(_, let values) in records {
            return values.allSatisfy { $0 == $0.rounded() && abs($0) < 1e9 } ? values.map { Int($0) } : nil
        }
        return nil
    }

    /// The recorded σ levels, if any.
    public var sigmas: [Double]? {
        for case .sigmas(let values) in records { return values }
        return nil
    }

    /// The recorded ᾱ, if any.
    public var alphasCumprod: [Double]? {
        for case .alphasCumprod(let values) in records { return values }
        return nil
    }
}

/// The step rules a trace can claim.
public enum StepKind: String, CaseIterable, Sendable {
    /// DDPM (Ho et al. 2020, Algorithm 2; with skipped steps, the posterior between them).
    case ddpm
    /// DDIM (Song et al. 2021, eq. 12) with its η.
    case ddim
    /// An Euler step of the probability-flow ODE in σ (Karras et al. 2022, Algorithm 1 without churn).
    case euler
    /// Euler ancestral: a step down to σ_down and fresh noise σ_up (k-diffusion's split).
    case eulerAncestral = "euler_ancestral"
    /// DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2), on the VP sample, between σ levels.
    case dpmSolverPlusPlus2M = "dpmpp_2m"
    /// Heun's method on the probability-flow ODE in σ (Karras et al. 2022, Algorithm 1 without churn).
    case heun
    /// Singlestep DPM-Solver-2 and -3 (Lu et al. 2022, Algorithms 1–2, noise prediction) in σ.
    case dpmSolver2 = "dpm_solver_2"
    case dpmSolver3 = "dpm_solver_3"
    /// Euler on the flow-matching ODE, x' = x + (σ' − σ)·v (SD3's FlowMatchEulerDiscreteScheduler).
    case flowEuler = "flow_euler"

    /// Whether the steps move between σ levels (by index) rather than timesteps.
    public var isSigmaSpace: Bool { self != .ddpm && self != .ddim }
    /// The Euler-type rules (Euler, Euler ancestral, Heun, singlestep DPM-Solver): the scaled
    /// sample, diffusers' Euler timesteps and σ levels, no clipping.
    public var isEuler: Bool { [.euler, .eulerAncestral, .heun, .dpmSolver2, .dpmSolver3].contains(self) }

    /// The order of a singlestep DPM-Solver rule (2 or 3), nil for other rules.
    public var singleStepOrder: Int? { self == .dpmSolver2 ? 2 : self == .dpmSolver3 ? 3 : nil }

    /// The sample spaces a trace of this rule may record its steps in (the first is the default).
    public var sampleSpaces: [SampleSpace] {
        switch self {
        case .ddpm, .ddim: return [.vp]
        case .euler, .eulerAncestral, .heun, .dpmSolver2, .dpmSolver3: return [.scaled]
        case .dpmSolverPlusPlus2M: return [.vp, .scaled]
        case .flowEuler: return [.flow]
        }
    }
}

/// Where a step's `sample` lives.
public enum SampleSpace: String, CaseIterable, Sendable {
    /// xₜ = √ᾱ x₀ + √(1 − ᾱ) ε, what the network sees (diffusers' DDPM, DDIM, DPM-Solver).
    case vp
    /// x = xₜ/√ᾱ = x₀ + σε (Karras et al. 2022; k-diffusion, diffusers' Euler-type schedulers).
    case scaled
    /// x = (1 − σ)x₀ + σε, the rectified-flow path (flow matching; SD3, Flux).
    case flow
}

/// One recorded quantity.
public enum TraceRecord: Sendable {
    case betas([Double])
    case alphasCumprod([Double])
    case timesteps(inferenceSteps: Int, values: [Double])
    case sigmas([Double])
    case step(StepRecord)
    case formula(FormulaRecord)

    /// The name the trace uses for it.
    public var quantity: String {
        switch self {
        case .formula(let formula): return formula.quantity
        case .betas: return "betas"
        case .alphasCumprod: return "alphas_cumprod"
        case .timesteps: return "timesteps"
        case .sigmas: return "sigmas"
        case .step: return "step"
        }
    }
}

/// One call of a sampler's step, with its inputs and outputs (flat, row-major).
public struct StepRecord: Sendable {
    /// τ, diffusers' 0-based timestep (σ-space steps: rounded; they are placed by `index`).
    public var timestep: Int
    /// σ-space steps: the step's position i, moving from σᵢ to σᵢ₊₁ of the `sigmas` record.
    public var index: Int?
    public var modelOutput: [Double]
    public var sample: [Double]
    public var prevSample: [Double]
    public var predOriginalSample: [Double]?
    /// The standard normal draws the step added (scaled by its σ), nil when it added none.
    public var noise: [Double]?
    /// The model's variance output in [−1, 1] (`learned_range`) or the variance (`learned`).
    public var predictedVariance: [Double]?
    /// Heun: the model output at the predictor x̃ and σᵢ₊₁, and x̃ itself (optional).
    public var modelOutput2: [Double]?
    public var predictorSample: [Double]?
    /// Singlestep DPM-Solver: the intermediate evaluations, in order.
    public var stages: [Stage]?

    /// One intermediate evaluation: the model's output, and the point it was evaluated at.
    public struct Stage: Sendable {
        public var modelOutput: [Double]
        public var sample: [Double]?

        public init(modelOutput: [Double], sample: [Double]? = nil) {
            self.modelOutput = modelOutput
            self.sample = sample
        }
    }
    /// DDIM's η.
    public var eta: Double
    /// The array shape; the first axis is the batch (dynamic thresholding works per item).
    public var shape: [Int]

    public init(
        timestep: Int, modelOutput: [Double], sample: [Double], prevSample: [Double], predOriginalSample: [Double]? = nil,
        noise: [Double]? = nil, predictedVariance: [Double]? = nil, eta: Double = 0, shape: [Int]? = nil, index: Int? = nil,
        modelOutput2: [Double]? = nil, predictorSample: [Double]? = nil, stages: [Stage]? = nil
    ) {
        self.stages = stages
        self.modelOutput2 = modelOutput2
        self.predictorSample = predictorSample
        self.timestep = timestep
        self.index = index
        self.modelOutput = modelOutput
        self.sample = sample
        self.prevSample = prevSample
        self.predOriginalSample = predOriginalSample
        self.noise = noise
        self.predictedVariance = predictedVariance
        self.eta = eta
        self.shape = shape ?? [1, modelOutput.count]
    }
}
