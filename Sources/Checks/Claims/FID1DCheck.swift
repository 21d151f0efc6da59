import CheckCore
import CheckKit
import Foundation
import Gaussian
import Stochastic

/// 002 and 004 (quality metrics): FID is the Fréchet distance between Gaussians fitted to
/// features. In 1-D it is (μ₁−μ₂)² + (σ₁−σ₂)², the squared 2-Wasserstein distance
/// W₂² = ∫₀¹ (F₁⁻¹(u) − F₂⁻¹(u))² du: pairing sorted samples is the optimal coupling.
let fid1DCheck = CheckDefinition(
    id: "notes.fid-1d",
    title: "FID in 1-D: the Fréchet distance (μ₁−μ₂)² + (σ₁−σ₂)² equals W₂², by quadrature and by sorted samples",
    parameters: [
        ParameterSpec("gaussians", .reals(-100...100), default: .reals([0, 1, 1, 2]), help: "μ₁, σ₁, μ₂, σ₂"),
        ParameterSpec("batch", .integer(100...1_000_000), default: .integer(20_000), help: "samples per sorted batch"),
        ParameterSpec("batches", .integer(2...10_000), default: .integer(100), help: "independent sorted batches"),
    ],
    mutations: [Mutation("no-cross-term", "d² = (μ₁−μ₂)² + σ₁² + σ₂²: the −2σ₁σ₂ term forgotten (E|X−Y|² of independent draws)")],
    verdict: .true,
    sources: [Note.n002.at("83"), Note.n004.at("47")]
) { context in
    let g = context.parameters.reals("gaussians")
    guard g.count == 4, g[1] > 0, g[3] > 0 else { throw CheckFailure("gaussians needs [μ₁, σ₁, μ₂, σ₂] with σ > 0") }
    let first = Gaussian(mean: g[0], variance: g[1] * g[1]), second = Gaussian(mean: g[2], variance: g[3] * g[3])
    let closed = context.mutated("no-cross-term")
        ? (g[0] - g[2]) * (g[0] - g[2]) + g[1] * g[1] + g[3] * g[3]
        : FrechetDistance.squared(mean1: [g[0]], covariance1: [g[1] * g[1]], mean2: [g[2]], covariance2: [g[3] * g[3]])
    let quantileGap = try Quadrature.integrate(from: 0, to: 1) { u in
        let z = StandardNormal.quantile(u)
        return pow(first.reparameterize(z) - second.reparameterize(z), 2)
    }.value
    // W₂² between two empirical samples: sort both and pair them. Repeated over batches.
    var stream = context.randomStream
    let batch = context.parameters.integer("batch")
    let sorted = MonteCarlo.mean(samples: context.parameters.integer("batches"), stream: &stream) { s in
        let x = AscendingSort.sorted((0..<batch).map { _ in first.sample(&s) })
        let y = AscendingSort.sorted((0..<batch).map { _ in second.sample(&s) })
        return zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(batch)
    }
    return [
        .exact("d² vs ∫₀¹ (F₁⁻¹(u) − F₂⁻¹(u))² du", closedForm: closed, exact: quantileGap),
        .monteCarlo("d² vs sorted-sample W₂² (bias O(log n / n))", closedForm: closed, estimate: sorted),
    ]
}
