import CheckCore
import Posterior

/// The checks of the posterior module, for the registry.
public enum PosteriorChecks {
    public static let all: [CheckDefinition] = [
        bayesCheck, quadratureCheck, regressionCheck, epsilonFormCheck, parameterizationCheck,
        clippedVarianceCheck, samplerCheck, reverseChainCheck, varianceChoiceCheck,
    ]
}
