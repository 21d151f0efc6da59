import CheckCore
import CheckKit
import ELBO
import ForwardProcess
import Gaussian
import Posterior
import Sampling
import Stochastic
import ToyDiffusion

/// The bound estimator that scores the trained MLP (`LearnedBound`), run on the exact ε* of
/// Gaussian data N(m, s²I) — a one-component mixture — where the ELBO module has every
/// term in closed form (`VariationalBound` of the exactly solvable `ReverseModel`, one per
/// coordinate). Per point, the estimator's −ELBO (one ε per step) minus the closed form
/// has mean 0: a z-test over the points.
let boundCheck = CheckDefinition(
    id: "toy.bound",
    title: "The learned-model bound estimator (L_T + Σ L_{t−1} + L₀, one ε per step) on exact ε* of Gaussian data = the ELBO module's closed form",
    parameters: [
        ParameterSpec("reverseVariance", .choice(of: ReverseVariance.self), default: .text("large"), help: "σₜ² = β̃ₜ (small) or βₜ (large)"),
        ParameterSpec("mean", .reals(-3...3), default: .reals([0.3, -0.2]), help: "the data mean m = (m₁, m₂)"),
        ParameterSpec("std", .real(0.01...3), default: .real(0.5), help: "the data standard deviation s"),
        .samples(default: 2000),
    ],
    mutations: [Mutation("simple-weights", "λₜ = 1 for every t: L_simple's weights in place of eq. 12's βₜ²/(2σₜ²αₜ(1 − ᾱₜ))")],
    run: boundRows
)

@Sendable
func boundRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try NoiseSchedule.linear()
    let variance: ReverseVariance = try context.parameters.choice("reverseVariance")
    let m = context.parameters.reals("mean"), s = context.parameters.real("std")
    guard m.count == 2 else { throw ToyDataError("mean needs two numbers (got \(m.count))") }
    let data = try GaussianMixture2D([.init(weight: 1, mean: Point2(m[0], m[1]), standardDeviation: s)])
    var stream = context.randomStream
    let points = data.sample(context.parameters.integer("samples"), stream: &stream)
    let weight: (Double, Double, Double, Double) -> Double = context.mutated("simple-weights")
        ? { _, _, _, _ in 1 } : { epsilonWeight(beta: $0, alpha: $1, oneMinusAlphaBar: $2, sigma2: $3) }
    let bound = try LearnedBound(model: ExactEpsilon(data: data, schedule: schedule), schedule: schedule, variance: variance,
                                 data: points, seed: context.seed &+ context.stream,
                                 generator: context.generator, weight: weight)
    let models = try m.map { try ReverseModel(schedule: schedule, data: Gaussian(mean: $0, variance: s * s), variance: variance) }
    let closed = try points.map { p in
        try VariationalBound(model: models[0], x0: p.x).total + VariationalBound(model: models[1], x0: p.y).total
    }
    let residuals = MomentAccumulator(zip(bound.perPointTotals, closed).map { $0 - $1 }).meanEstimate
    let closedMean = closed.reduce(0, +) / Double(closed.count)
    return [
        .monteCarlo("−ELBO per point (nats): estimator vs closed form, paired per point", closedForm: closedMean,
                    estimate: MeanEstimate(mean: closedMean + residuals.mean, standardError: residuals.standardError, count: residuals.count)),
        .holds("bits/dim of the estimate", value: bound.bitsPerDimension, rule: "reported (a density bound: may be < 0)", pass: bound.bitsPerDimension.isFinite),
    ]
}
