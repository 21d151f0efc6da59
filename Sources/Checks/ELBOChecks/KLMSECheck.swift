import CheckCore
import CheckKit
import ELBO
import ForwardProcess
import Gaussian
import Posterior
import Stochastic

/// With equal variances the KL term is a weighted squared error of ε (DDPM eq. 12).
let klMSECheck = CheckDefinition(
    id: "elbo.kl-mse",
    title: "KL(q(xₜ₋₁|xₜ,x₀) ‖ p_θ) = λₜ·(ε − ε_θ)² with λₜ = βₜ²/(2σₜ² αₜ (1−ᾱₜ)), for random ε, ε_θ",
    parameters: [
        .schedule(), .steps(), .timesteps([2, 10, 100, 500, 1000]),
        ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random (x₀, ε, ε_θ) per t"),
    ],
    mutations: [Mutation("beta-not-squared", "λₜ = βₜ/(2σₜ² αₜ (1−ᾱₜ)): β where β² belongs")],
    run: klMSERows
)

@Sendable
func klMSERows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where schedule.alpha(t) > 0 {
        guard t >= 2 else { throw CheckFailure("use t ≥ 2: β̃₁ = 0") }
        let posterior = try ForwardPosterior(schedule, t: t)
        let sigma2 = posterior.variance  // equal variances: p_θ uses σₜ² = β̃ₜ
        let beta = context.mutated("beta-not-squared") ? schedule.beta(t).squareRoot() : schedule.beta(t)
        let lambda = epsilonWeight(beta: beta, alpha: schedule.alpha(t), oneMinusAlphaBar: schedule.oneMinusAlphaBar(t), sigma2: sigma2)
        var worst = 0.0
        for _ in 0..<context.parameters.integer("points") {
            let (x0, epsilon, predicted) = (stream.uniform(in: -1...1), stream.normal(), stream.normal())
            // Where ε_θ ≈ ε both sides are a tiny difference of two rounded means, whose relative
            // error grows like 2⁻⁵³·|μ|/|Δμ|: the identity is compared where the gap is resolvable.
            guard abs(epsilon - predicted) >= 1e-3 else { continue }
            let xt = ForwardProcess.noised(schedule, t: t, x0: x0, epsilon: epsilon)
            let truth = Gaussian(mean: posterior.mean(x0: x0, xt: xt), variance: sigma2)
            let model = Gaussian(mean: try ForwardPosterior.meanFromEpsilon(schedule, t: t, xt: xt, epsilon: predicted), variance: sigma2)
            let kl = klDivergence(truth, model)
            let weighted = lambda * (epsilon - predicted) * (epsilon - predicted)
            worst = max(worst, abs(kl - weighted) / max(kl, 1e-300))
        }
        rows.append(.holds("t=\(t): max rel. gap KL vs λₜ(ε−ε_θ)², λₜ = \(shortNumber(lambda))", value: worst, rule: "≤ 1e-9", pass: worst <= 1e-9))
    }
    return rows
}

/// How unequal the weights λₜ are that L_simple sets to 1.
let lambdaCheck = CheckDefinition(
    id: "elbo.lambda",
    title: "λₜ across t for σₜ² = β̃ₜ and βₜ: what L_simple reweights (σ² = βₜ: λₜ = βₜ/(2αₜ(1−ᾱₜ)))",
    parameters: [.schedule(), .steps(), .timesteps([2, 10, 100, 500, 1000])],
    mutations: [Mutation("beta-not-squared", "λₜ = βₜ/(2σₜ² αₜ (1−ᾱₜ))")],
    run: lambdaRows
)

@Sendable
func lambdaRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    var rows: [CheckRow] = []
    var weights: [Double] = []
    for t in try context.timesteps(schedule) where t >= 2 && schedule.alpha(t) > 0 {
        let beta = context.mutated("beta-not-squared") ? schedule.beta(t).squareRoot() : schedule.beta(t)
        let large = epsilonWeight(beta: beta, alpha: schedule.alpha(t), oneMinusAlphaBar: schedule.oneMinusAlphaBar(t), sigma2: schedule.beta(t))
        let small = epsilonWeight(beta: beta, alpha: schedule.alpha(t), oneMinusAlphaBar: schedule.oneMinusAlphaBar(t),
                                  sigma2: try ForwardPosterior(schedule, t: t).variance)
        // With σ² = β the weight simplifies to βₜ/(2αₜ(1−ᾱₜ)); with σ² = β̃ to 1/(2αₜ) · βₜ/(1−ᾱₜ₋₁).
        rows.append(.exact("t=\(t): λₜ (σ²=β) = βₜ/(2αₜ(1−ᾱₜ))", closedForm: large,
                           exact: schedule.beta(t) / (2 * schedule.alpha(t) * schedule.oneMinusAlphaBar(t)), relativeTolerance: 1e-12))
        rows.append(.exact("t=\(t): λₜ (σ²=β̃) = βₜ/(2αₜ(1−ᾱₜ₋₁))", closedForm: small,
                           exact: schedule.beta(t) / (2 * schedule.alpha(t) * schedule.oneMinusAlphaBar(t - 1)), relativeTolerance: 1e-12))
        weights.append(small)
    }
    if let high = weights.max(), let low = weights.min() {
        rows.append(.holds("max/min of λₜ (σ²=β̃) over these t", value: high / low, rule: "reported", pass: high / low >= 1))
    }
    return rows
}
