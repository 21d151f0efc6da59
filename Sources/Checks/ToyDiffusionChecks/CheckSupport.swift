import CheckCore
import ToyDiffusion

extension ParameterSpec {
    /// The weights of the eight Gaussians (normalized to sum to 1).
    static func mixtureWeights(default weights: [Double]) -> ParameterSpec {
        ParameterSpec("weights", .reals(1e-3...1e3), default: .reals(weights),
                      help: "the 8 component weights of the eight Gaussians (normalized to sum to 1)")
    }
}

extension CheckContext {
    /// The eight Gaussians with the cell's weights.
    var mixture: GaussianMixture2D {
        get throws { try GaussianMixture2D.eightGaussians(weights: parameters.reals("weights")) }
    }
}
