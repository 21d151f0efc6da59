import CheckCore
import LatentDiffusion

/// The checks of the latent-diffusion lesson, on the committed models.
public enum LatentChecks {
    public static let all: [CheckDefinition] = [compressionCheck, scaleFactorCheck, reconstructionCheck, attentionCheck, guidanceCheck, conditionalAccuracyCheck]
}
