import ForwardProcess
import ScoreODE

/// A scheduler's configuration, with diffusers' key names and defaults (docs/trace-format.md):
/// everything the reference needs to know about the code under test's choices.
public struct SchedulerConfig: Sendable, Equatable {
    public enum BetaSchedule: String, CaseIterable, Sendable {
        case linear
        case scaledLinear = "scaled_linear"
        case cosine = "squaredcos_cap_v2"
        case sigmoid
    }

    /// What the model output is read as (Parameterization).
    public enum PredictionType: String, CaseIterable, Sendable {
        case epsilon
        case sample
        case vPrediction = "v_prediction"
    }

    /// DDPM's reverse variance σₜ² (Ho et al. 2020 §3.2; Nichol & Dhariwal 2021 eq. 15). The
    /// `_log` variants are the same variances, computed through their logarithm.
    public enum VarianceType: String, CaseIterable, Sendable {
        case fixedSmall = "fixed_small"
        case fixedSmallLog = "fixed_small_log"
        case fixedLarge = "fixed_large"
        case fixedLargeLog = "fixed_large_log"
        case learned
        case learnedRange = "learned_range"
    }

    /// How K < T inference timesteps are chosen (Lin et al. 2024, Table 2).
    public typealias Spacing = InferenceSpacing

    /// The level a σ-space sampler ends on.
    public enum FinalSigma: String, CaseIterable, Sendable {
        case zero
        case sigmaMin = "sigma_min"
    }

    /// How σ is read at a fractional timestep (only linear interpolation in τ is verified).
    public enum Interpolation: String, CaseIterable, Sendable {
        case linear
    }

    public var trainSteps = 1000
    public var betaSchedule = BetaSchedule.linear
    public var betaStart = 1e-4
    public var betaEnd = 0.02
    public var trainedBetas: [Double]?
    public var rescaleZeroSNR = false
    public var prediction = PredictionType.epsilon
    public var variance = VarianceType.fixedSmall
    public var clipSample = true
    public var clipRange = 1.0
    public var thresholding = false
    public var thresholdRatio = 0.995
    public var sampleMaxValue = 1.0
    public var spacing = Spacing.leading
    public var stepsOffset = 0
    public var setAlphaToOne = true
    public var useKarrasSigmas = false
    /// Flow matching: the timestep shift s of SD3 (Esser et al. 2024, §5.3.2).
    public var shift = 1.0
    public var finalSigma = FinalSigma.zero
    public var interpolation = Interpolation.linear
    /// DPM-Solver++: 1 or 2.
    public var solverOrder = 2
    public var lowerOrderFinal = true
    public var eulerAtFinal = false

    public init() {}

    /// The βs this configuration names, evaluated in R (Double for the reference values,
    /// rounding-bounded numbers for the tolerance).
    public func betas<R: ScheduleScalar>(as: R.Type = R.self) -> [R] {
        let base: [R]
        if let trainedBetas {
            base = trainedBetas.map { R($0) }
        } else {
            switch betaSchedule {
            case .linear: base = BetaFormula.linear(steps: trainSteps, start: betaStart, end: betaEnd)
            case .scaledLinear: base = BetaFormula.scaledLinear(steps: trainSteps, start: betaStart, end: betaEnd)
            case .cosine: base = BetaFormula.cosine(steps: trainSteps, offset: 0.008, maxBeta: 0.999)
            case .sigmoid: base = BetaFormula.sigmoid(steps: trainSteps, start: betaStart, end: betaEnd)
            }
        }
        return rescaleZeroSNR ? BetaFormula.rescaledToZeroTerminalSNR(base) : base
    }

    /// The schedule alone, e.g. "linear(0.0001, 0.02), T = 1000".
    public var scheduleSummary: String {
        let schedule = trainedBetas != nil ? "trained betas" : betaSchedule == .cosine
            ? betaSchedule.rawValue : "\(betaSchedule.rawValue)(\(betaStart), \(betaEnd))"
        return "\(schedule)\(rescaleZeroSNR ? " + zero-terminal-SNR" : ""), T = \(trainSteps)"
    }

    /// A short description for the report, e.g. "linear(0.0001, 0.02), T = 1000, epsilon, fixed_small".
    public func summary(for kind: StepKind?) -> String {
        if kind == .flowEuler { return "flow matching, T = \(trainSteps), shift \(shift)" }
        var parts = [scheduleSummary, prediction.rawValue]
        if kind?.isSigmaSpace == true {
            parts.append(useKarrasSigmas ? "Karras σ levels" : "interpolated σ levels")
            parts.append("final σ \(finalSigma.rawValue)")
        } else {
            if kind != .ddim { parts.append(variance.rawValue) }
            parts.append(thresholding ? "dynamic thresholding (\(thresholdRatio), max \(sampleMaxValue))" : clipSample ? "clip ±\(clipRange)" : "no clipping")
        }
        parts.append("\(spacing.rawValue) spacing\(stepsOffset != 0 ? " + offset \(stepsOffset)" : "")")
        return parts.joined(separator: ", ")
    }
}
