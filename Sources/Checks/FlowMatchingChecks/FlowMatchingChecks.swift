import CheckCore

/// The checks of flow matching, for the registry.
public enum FlowMatchingChecks {
    public static let all: [CheckDefinition] = [pathCheck, velocityCheck, flowEulerCheck, shiftCheck, logitNormalCheck]
}
