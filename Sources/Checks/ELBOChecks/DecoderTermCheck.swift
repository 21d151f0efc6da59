import CheckCore
import CheckKit
import ELBO
import ForwardProcess
import Foundation
import Gaussian
import Stochastic

/// L₀ with the discretized decoder, and its share of the whole bound.
let decoderTermCheck = CheckDefinition(
    id: "elbo.decoder-term",
    title: "L₀ = −E_q(x₁|x₀) log P(x₀ | μ_θ(x₁), σ₁) for an 8-bit pixel: quadrature against sampling, and its share of the bound",
    parameters: [.schedule(), .steps()] + ParameterSpec.modelParameters + [.samples(default: 400_000)],
    mutations: [Mutation("sigma1-zero", "σ₁² = 0 (β̃₁ unclipped): the decoder collapses to a point")],
    run: decoderTermRows
)

@Sendable
func decoderTermRows(_ context: CheckContext) throws -> [CheckRow] {
    let model = try context.model
    let schedule = model.schedule
    // The data point taken to its 8-bit level.
    let x0 = DiscretizedDecoder.level(of: min(max(context.parameters.real("x0"), -1), 1))
    let sigma2 = context.mutated("sigma1-zero") ? 0 : model.sigma2(1)
    guard sigma2 > 0 else {
        // A point decoder gives every x₁ whose mean misses the bin probability 0: L₀ = ∞.
        return [.holds("σ₁² (the decoder's variance)", value: sigma2, rule: "> 0, else L₀ = ∞", pass: false)]
    }
    let logScale = 0.5 * Foundation.log(sigma2)
    let (a, b) = model.mean(1)
    let q1 = ForwardProcess.marginal(schedule, t: 1, from: x0)
    func nll(_ x1: Double) -> Double {
        -((try? DiscretizedDecoder.logLikelihood(x0, mean: a * x1 + b, logScale: logScale)) ?? -.infinity)
    }
    let integral = try Quadrature.integrate(from: q1.mean - 12 * q1.standardDeviation, to: q1.mean + 12 * q1.standardDeviation) { x1 in
        q1.density(x1) * nll(x1)
    }.value
    var stream = context.randomStream
    let sampled = MonteCarlo.mean(samples: context.parameters.integer("samples"), stream: &stream) { s in nll(q1.sample(&s)) }
    let continuous = try VariationalBound(model: model, x0: x0)
    let total = continuous.prior + continuous.denoising.reduce(0, +) + integral
    return [
        .monteCarlo("L₀ (nats): quadrature vs sampled x₁", closedForm: integral, estimate: sampled),
        .holds("L₀ in bits/dim", value: DiscretizedDecoder.bitsPerDimension(nats: integral), rule: "finite", pass: integral.isFinite),
        .holds("L₀ share of L_T + Σ L_{t−1} + L₀", value: integral / total, rule: "reported", pass: integral.isFinite),
    ]
}
