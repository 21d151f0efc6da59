import CheckCore
import CheckKit
import Foundation
import Gaussian
import Stochastic

/// KL(N₁‖N₂) = log(σ₂/σ₁) + (σ₁² + (μ₁−μ₂)²)/(2σ₂²) − ½.
let klCheck = CheckDefinition(
    id: "gaussian.kl",
    title: "KL(N₁‖N₂) = log(σ₂/σ₁) + (σ₁² + (μ₁−μ₂)²)/(2σ₂²) − ½, against quadrature and sampling",
    parameters: pairParameters(mean1: 0.3, variance1: 0.5, mean2: -0.4, variance2: 2),
    mutations: [Mutation("missing-half", "the ½ dropped from the quadratic term: (σ₁² + (μ₁−μ₂)²)/σ₂²")],
    run: klRows
)

@Sendable
func klRows(_ context: CheckContext) throws -> [CheckRow] {
    let (p, q) = context.gaussianPair
    let kl: (Gaussian, Gaussian) -> Double = context.mutated("missing-half") ? { klMissingHalf($0, $1) } : { klDivergence($0, $1) }
    var stream = context.randomStream
    let logRatio = MonteCarlo.mean(samples: context.samples, stream: &stream) { s in
        let x = p.sample(&s)
        return p.logDensity(x) - q.logDensity(x)
    }
    return [
        try .quadrature("KL(N₁‖N₂) vs ∫ p log(p/q)", closedForm: kl(p, q), center: p.mean) { x in
            p.density(x) * (p.logDensity(x) - q.logDensity(x))
        },
        .monteCarlo("KL(N₁‖N₂) vs E_p[log p − log q]", closedForm: kl(p, q), estimate: logRatio),
        .exact("KL(N₁‖N₁) = 0", closedForm: kl(p, p), exact: 0, floor: 1),
        .holds("KL(N₂‖N₁) ≠ KL(N₁‖N₂): not symmetric", value: kl(q, p) - kl(p, q),
               rule: "≠ 0", pass: abs(kl(q, p) - kl(p, q)) > 1e-6 || p == q),
    ]
}

/// KL between diagonal Gaussians is the sum over coordinates.
let diagonalKLCheck = CheckDefinition(
    id: "gaussian.kl-diagonal",
    title: "KL between diagonal Gaussians = Σᵢ KL per coordinate, against sampling in d dimensions",
    parameters: [
        ParameterSpec("mean1", .reals(-1e3...1e3), default: .reals([0, 1, -0.5]), help: "μ₁ per coordinate"),
        ParameterSpec("variance1", .reals(1e-6...1e6), default: .reals([1, 0.5, 2]), help: "σ₁² per coordinate"),
        ParameterSpec("mean2", .reals(-1e3...1e3), default: .reals([0.5, 0, 0]), help: "μ₂ per coordinate"),
        ParameterSpec("variance2", .reals(1e-6...1e6), default: .reals([2, 1, 1]), help: "σ₂² per coordinate"),
        .samples(default: 1_000_000),
    ],
    mutations: [Mutation("sd-ratio", "σ₁/σ₂ in place of σ₁²/σ₂² in the trace term")],
    run: diagonalKLRows
)

@Sendable
func diagonalKLRows(_ context: CheckContext) throws -> [CheckRow] {
    let parameters = context.parameters
    let lengths = Set([parameters.reals("mean1").count, parameters.reals("variance1").count,
                       parameters.reals("mean2").count, parameters.reals("variance2").count])
    guard lengths.count == 1 else {
        throw CheckFailure("mean1, variance1, mean2 and variance2 must have the same length (got \(lengths.sorted()))")
    }
    let p = DiagonalGaussian(mean: parameters.reals("mean1"), variance: parameters.reals("variance1"))
    let q = DiagonalGaussian(mean: parameters.reals("mean2"), variance: parameters.reals("variance2"))
    let closed = context.mutated("sd-ratio") ? klStandardDeviationRatio(p, q) : klDivergence(p, q)
    var stream = context.randomStream
    let logRatio = MonteCarlo.mean(samples: context.samples, stream: &stream) { s in
        let x = p.sample(&s)
        return p.logDensity(x) - q.logDensity(x)
    }
    return [.monteCarlo("KL in d=\(p.dimension) vs E_p[log p − log q]", closedForm: closed, estimate: logRatio)]
}

/// The mutation of `gaussian.kl-diagonal`: σ₁/σ₂ where the trace term needs σ₁²/σ₂².
private func klStandardDeviationRatio(_ p: DiagonalGaussian, _ q: DiagonalGaussian) -> Double {
    var total = 0.0
    for (a, b) in zip(p.coordinates, q.coordinates) {
        let d = a.mean - b.mean
        let trace = a.standardDeviation / b.standardDeviation
        total += 0.5 * Foundation.log(b.variance / a.variance) + (trace + d * d / b.variance) / 2 - 0.5
    }
    return total
}
