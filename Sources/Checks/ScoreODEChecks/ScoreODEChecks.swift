import CheckCore

/// The checks of the score / ODE view and its samplers, for the registry.
public enum ScoreODEChecks {
    public static let all: [CheckDefinition] = [
        sigmaSpaceCheck, tweedieCheck, minSNRCheck, ddimEulerCheck, ancestralCheck, karrasCheck, orderCheck, preconditioningCheck,
        ddimSpacingCheck, guidanceCheck, sdeLimitCheck, probabilityFlowCheck, denoisingScoreMatchingCheck, classifierGuidanceCheck, reverseStepShapeCheck,
    ]
}
