import CheckCore
import ForwardProcess

/// The checks of the forward-process module, for the registry.
public enum ForwardChecks {
    public static let all: [CheckDefinition] = [
        scheduleValuesCheck, stepCheck, closedFormCheck, monotoneCheck, terminalCheck, signalLeakCheck, cosineCheck,
    ]
}
