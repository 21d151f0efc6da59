import CheckCore
import ELBO

/// The checks of the ELBO module, for the registry.
public enum ELBOChecks {
    public static let all: [CheckDefinition] = [
        boundCheck, gapCheck, klMSECheck, lambdaCheck, decoderCheck, priorTermCheck, decoderTermCheck,
    ]
}
