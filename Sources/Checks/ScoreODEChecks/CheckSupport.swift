import CheckCore
import Gaussian

extension ParameterSpec {
    /// The skips of a step from t to t − skip, for the checks that compare one step two ways.
    static func skips(_ values: [Int]) -> ParameterSpec {
        ParameterSpec("skip", .integers(1...100_000), default: .integers(values), help: "the step goes from t to t − skip (to 0 at the lowest)")
    }

    /// How many random inputs each (t, skip) is compared on.
    static let points = ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random inputs compared per row")
}

extension CheckContext {
    /// The cell's skips, at least one.
    var skips: [Int] {
        get throws {
            let skips = parameters.integers("skip")
            guard !skips.isEmpty else { throw CheckFailure("give at least one skip") }
            return skips
        }
    }
}

extension ParameterSpec {
    /// The 1-D Gaussian-mixture data of the SDE checks: weights, means and variances, one each per component.
    static let mixtureParameters: [ParameterSpec] = [
        ParameterSpec("weights", .reals(1e-3...1000), default: .reals([0.3, 0.7]), help: "the components' weights (normalized to sum 1)"),
        ParameterSpec("data-means", .reals(-10...10), default: .reals([-1.5, 1]), help: "the components' means"),
        ParameterSpec("data-variances", .reals(1e-3...25), default: .reals([0.09, 0.25]), help: "the components' variances"),
    ]
}

extension CheckContext {
    /// The cell's mixture data, one weight, mean and variance per component.
    var mixture: GaussianMixture {
        get throws {
            let (weights, means, variances) = (parameters.reals("weights"), parameters.reals("data-means"), parameters.reals("data-variances"))
            guard !weights.isEmpty, weights.count == means.count, means.count == variances.count else {
                throw CheckFailure("give one weight, one mean and one variance per component (got \(weights.count), \(means.count), \(variances.count))")
            }
            return GaussianMixture(weights: weights, components: zip(means, variances).map { Gaussian(mean: $0, variance: $1) })
        }
    }
}

extension ParameterSpec {
    /// The VP-SDE's β(t) = β̄_min + t(β̄_max − β̄_min); DDPM's schedule is β̄ = (0.1, 20).
    static let betaMin = ParameterSpec("beta-min", .real(1e-3...100), default: .real(0.1), help: "VP: β̄_min = β(0)")
    static let betaMax = ParameterSpec("beta-max", .real(1e-3...100), default: .real(20), help: "VP: β̄_max = β(1)")
}

extension ParameterSpec {
    /// Gaussian data N(m, s²) of the score checks: its mean and variance.
    static let gaussianMean = ParameterSpec("mean", .real(-5...5), default: .real(0.5), help: "data mean m")
    static let gaussianVariance = ParameterSpec("data-variance", .real(0...25), default: .real(0.25), help: "data variance s²")
}

extension CheckContext {
    /// N(m, s²) from the cell's `mean` and `data-variance`.
    var gaussianData: Gaussian { Gaussian(mean: parameters.real("mean"), variance: parameters.real("data-variance")) }
}
