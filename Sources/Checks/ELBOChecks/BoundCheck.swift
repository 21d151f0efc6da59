import CheckCore
import CheckKit
import ELBO
import Foundation
import Gaussian
import Stochastic

/// The ELBO from its closed-form terms against whole sampled trajectories.
let boundCheck = CheckDefinition(
    id: "elbo.bound",
    title: "ELBO = −(L_T + Σ L_{t−1} + L₀) in closed form, against E_q[log p_θ(x_{0:T})/q(x_{1:T}|x₀)] over sampled trajectories",
    parameters: [.schedule(default: "cosine"), .steps(default: 10)] + ParameterSpec.modelParameters + [.samples(default: 400_000)],
    mutations: [Mutation("missing-half", "KL(N₁‖N₂) with the ½ of the quadratic term dropped")],
    run: boundRows
)

@Sendable
func boundRows(_ context: CheckContext) throws -> [CheckRow] {
    let model = try context.model
    let x0 = context.parameters.real("x0")
    let bound = context.mutated("missing-half")
        ? try VariationalBound(model: model, x0: x0) { klMissingHalf($0, $1) }
        : try VariationalBound(model: model, x0: x0)
    var stream = context.randomStream
    let logWeights = Trajectories.logWeights(model: model, x0: x0, count: context.parameters.integer("samples"), stream: &stream)
    let likelihood = Foundation.exp(model.logLikelihood(x0))
    return [
        .monteCarlo("ELBO vs mean log-weight of trajectories", closedForm: bound.elbo, estimate: MomentAccumulator(logWeights).meanEstimate),
        .monteCarlo("p_θ(x₀) (exact) vs mean weight E_q[w]", closedForm: likelihood,
                    estimate: MomentAccumulator(logWeights.lazy.map { Foundation.exp($0) }).meanEstimate),
    ]
}

/// Jensen: ELBO ≤ log p_θ(x₀), and the gap is the KL of the two trajectory laws.
let gapCheck = CheckDefinition(
    id: "elbo.gap",
    title: "Jensen: ELBO ≤ log p_θ(x₀); the gap E_q[log q(x_{1:T}|x₀)/p_θ(x_{1:T}|x₀)] is ≥ 0 and matches sampling",
    parameters: [.schedule(default: "cosine"), .steps(default: 10)] + ParameterSpec.modelParameters + [.samples(default: 400_000)],
    mutations: [Mutation("jensen-direction", "the inequality turned around: ELBO ≥ log p_θ(x₀)")],
    run: gapRows
)

@Sendable
func gapRows(_ context: CheckContext) throws -> [CheckRow] {
    let model = try context.model
    let x0 = context.parameters.real("x0")
    let bound = try VariationalBound(model: model, x0: x0)
    let logLikelihood = model.logLikelihood(x0)
    let gap = context.mutated("jensen-direction") ? bound.elbo - logLikelihood : logLikelihood - bound.elbo
    var stream = context.randomStream
    // log p_θ(x₀) − log w = log q(x_{1:T}|x₀) − log p_θ(x_{1:T}|x₀), one trajectory at a time.
    let gaps = Trajectories.logWeights(model: model, x0: x0, count: context.parameters.integer("samples"), stream: &stream)
        .map { logLikelihood - $0 }
    return [
        .holds("log p_θ(x₀), exact", value: logLikelihood, rule: "reported", pass: logLikelihood.isFinite),
        .holds("gap = log p_θ(x₀) − ELBO", value: gap, rule: "≥ 0", pass: gap >= 0),
        .monteCarlo("gap vs E_q[log q(x_{1:T}|x₀) − log p_θ(x_{1:T}|x₀)]", closedForm: gap, estimate: MomentAccumulator(gaps).meanEstimate),
    ]
}
