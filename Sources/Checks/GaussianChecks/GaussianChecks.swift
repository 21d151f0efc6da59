import CheckCore
import Gaussian

/// The checks of the Gaussian module, for the registry.
public enum GaussianChecks {
    public static let all: [CheckDefinition] = [
        densityCheck, cdfCheck, reparameterizationCheck, affineCheck, sumCheck, differenceCheck,
        forwardMergeCheck, productCheck, klCheck, diagonalKLCheck, entropyCheck, centralLimitCheck,
    ]
}
