import CheckCore
import ToyDiffusion

/// The checks of the toy-diffusion module, for the registry.
public enum ToyChecks {
    public static let all: [CheckDefinition] = [optimalDenoiserCheck, metricFloorCheck, langevinCheck, boundCheck, exactSamplerCheck, pretrainedCheck, learnedVsOptimalCheck, classifierGuidanceCheck]
}
