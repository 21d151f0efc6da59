import CheckCore
import ELBO
import ForwardProcess
import Gaussian
import Posterior

extension ParameterSpec {
    /// The solvable model: data N(m, s²), a data point x₀, and the reverse variance choice.
    static let modelParameters: [ParameterSpec] = [
        ParameterSpec("dataMean", .real(-5...5), default: .real(0.3), help: "m, the data mean"),
        ParameterSpec("dataVariance", .real(1e-4...10), default: .real(0.25), help: "s², the data variance"),
        ParameterSpec("x0", .real(-10...10), default: .real(0.8), help: "the data point x₀"),
        ParameterSpec("reverseVariance", .choice(of: ReverseVariance.self), default: .text("small"),
                      help: "σₜ² for t ≥ 2: small = β̃ₜ, large = βₜ (σ₁² = β̃₂ in both)"),
    ]
}

extension CheckContext {
    /// The model the cell describes.
    var model: ReverseModel {
        get throws {
            let data = Gaussian(mean: parameters.real("dataMean"), variance: parameters.real("dataVariance"))
            return try ReverseModel(schedule: schedule, data: data, variance: parameters.choice("reverseVariance"))
        }
    }
}
