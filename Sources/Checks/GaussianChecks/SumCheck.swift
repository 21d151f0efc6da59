import CheckCore
import CheckKit
import Gaussian
import Stochastic

/// X + Y ~ N(μ₁ + μ₂, σ₁² + σ₂²) for independent Gaussians.
let sumCheck = CheckDefinition(
    id: "gaussian.sum",
    title: "X + Y ~ N(μ₁+μ₂, σ₁²+σ₂²) for independent X, Y: sampled, and by the convolution integral",
    parameters: pairParameters(mean1: 1, variance1: 1, mean2: -3, variance2: 4),
    mutations: [Mutation("sd-added", "standard deviations added: variance (σ₁+σ₂)²")],
    run: sumRows
)

@Sendable
func sumRows(_ context: CheckContext) throws -> [CheckRow] {
    let (x, y) = context.gaussianPair
    let claimed = context.mutated("sd-added")
        ? Gaussian(mean: x.mean + y.mean, variance: (x.standardDeviation + y.standardDeviation) * (x.standardDeviation + y.standardDeviation))
        : x + y
    var stream = context.randomStream
    let sample = draws(context.samples, &stream) { s in x.sample(&s) + y.sample(&s) }
    var rows = gaussianEvidence("X+Y", samples: sample, claimed: claimed)
    // The density of a sum is the convolution p_{X+Y}(z) = ∫ p_X(u) p_Y(z − u) du.
    for k in [-1.0, 0, 1.5] {
        let z = claimed.mean + k * claimed.standardDeviation
        // The integrand peaks at E[X | X+Y = z].
        let center = x.mean + (z - x.mean - y.mean) * x.variance / (x.variance + y.variance)
        rows.append(try .quadrature("p(z) by convolution, z=\(shortNumber(z))", closedForm: claimed.density(z), center: center) { u in
            x.density(u) * y.density(z - u)
        })
    }
    return rows
}

/// X − Y ~ N(μ₁ − μ₂, σ₁² + σ₂²): the variances add even for a difference.
let differenceCheck = CheckDefinition(
    id: "gaussian.difference",
    title: "X − Y ~ N(μ₁−μ₂, σ₁²+σ₂²): variances add even when the variables are subtracted",
    parameters: pairParameters(mean1: 2, variance1: 3, mean2: 0.5, variance2: 1),
    mutations: [Mutation("variances-subtracted", "variance σ₁² − σ₂²")],
    run: differenceRows
)

@Sendable
func differenceRows(_ context: CheckContext) throws -> [CheckRow] {
    let (x, y) = context.gaussianPair
    let claimed = context.mutated("variances-subtracted")
        ? Gaussian(mean: x.mean - y.mean, variance: x.variance - y.variance)
        : x - y
    var stream = context.randomStream
    let sample = draws(context.samples, &stream) { s in x.sample(&s) - y.sample(&s) }
    return gaussianEvidence("X−Y", samples: sample, claimed: claimed)
}

/// Parameters of two Gaussians N(μ₁, σ₁²), N(μ₂, σ₂²) and a sample size.
func pairParameters(mean1: Double, variance1: Double, mean2: Double, variance2: Double, samples: Int = 2_000_000) -> [ParameterSpec] {
    [
        ParameterSpec("mean1", .real(-1e3...1e3), default: .real(mean1), help: "μ₁"),
        ParameterSpec("variance1", .real(1e-6...1e6), default: .real(variance1), help: "σ₁²"),
        ParameterSpec("mean2", .real(-1e3...1e3), default: .real(mean2), help: "μ₂"),
        ParameterSpec("variance2", .real(1e-6...1e6), default: .real(variance2), help: "σ₂²"),
        .samples(default: samples),
    ]
}

extension CheckContext {
    /// N(mean1, variance1) and N(mean2, variance2).
    var gaussianPair: (Gaussian, Gaussian) {
        (Gaussian(mean: parameters.real("mean1"), variance: parameters.real("variance1")),
         Gaussian(mean: parameters.real("mean2"), variance: parameters.real("variance2")))
    }
}
