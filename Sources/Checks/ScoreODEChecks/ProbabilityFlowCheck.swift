import CheckCore
import CheckKit
import Gaussian
import ScoreODE
import Stochastic

/// The forward SDE, the probability-flow ODE and the reverse SDE share their marginals p_t.
/// On Gaussian-mixture data p_t is a mixture in closed form and so is its score, so the three
/// are simulated with the exact score and their draws compared with p_t itself.
let probabilityFlowCheck = CheckDefinition(
    id: "score.pf-ode",
    title: "One family of marginals: the forward SDE, the probability-flow ODE dx/dt = f x − ½g²∇log p_t and the reverse SDE dx = [f x − g²∇log p_t]dt + g dW̄ all give p_t (VP and VE, mixture data, exact score)",
    parameters: ParameterSpec.mixtureParameters + [
        .betaMin, .betaMax,
        ParameterSpec("sigma-min", .real(1e-4...1), default: .real(0.01), help: "VE: σ_min"),
        ParameterSpec("sigma-max", .real(1...1000), default: .real(10), help: "VE: σ_max"),
        ParameterSpec("ode-steps", .integer(1...100_000), default: .integer(100), help: "Runge–Kutta steps of the ODE"),
        ParameterSpec("sde-steps", .integer(1...1_000_000), default: .integer(1000), help: "Euler–Maruyama steps of the SDEs"),
        .samples(default: 10_000),
    ],
    mutations: [
        Mutation("ode-full-g2", "the ODE drift f x − g²∇log p_t (the reverse SDE's drift, its noise left out)"),
        Mutation("sde-half-g2", "the reverse SDE drift f x − ½g²∇log p_t (the ODE's drift, with the noise added)"),
        Mutation("data-score", "the clean data's score ∇log p₀ used at every t instead of ∇log p_t"),
    ],
    run: probabilityFlowRows
)

@Sendable
func probabilityFlowRows(_ context: CheckContext) throws -> [CheckRow] {
    let p = context.parameters
    let data = try context.mixture
    let (low, high) = (p.real("sigma-min"), p.real("sigma-max"))
    guard low < high else { throw CheckFailure("σ_min must be below σ_max") }
    let sdes: [(String, DiffusionSDE)] = [
        ("VP", .variancePreserving(betaMin: p.real("beta-min"), betaMax: p.real("beta-max"))),
        ("VE", .varianceExploding(sigmaMin: low, sigmaMax: high)),
    ]
    let (odeSteps, sdeSteps, n) = (p.integer("ode-steps"), p.integer("sde-steps"), context.samples)
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for (name, sde) in sdes {
        /// x ↦ ∇log p_t(x), as each simulation uses it (scaled for the drift mutations).
        func score(factor: Double) -> (Double) -> (Double) -> Double {
            { t in
                let law = context.mutated("data-score") ? data : sde.marginal(of: data, at: t)
                return { x in factor * law.score(x) }
            }
        }
        let (noise, clean) = (sde.marginal(of: data, at: 1), data)
        let x0 = (0..<n).map { _ in data.sample(&stream) }
        let forward = sde.simulate(x0, from: 0, to: 1, steps: sdeSteps, stream: &stream)
        rows += mixtureEvidence("\(name): forward SDE x₀ → x₁", samples: forward, claimed: noise)
        let flowed = sde.transport(x0, from: 0, to: 1, steps: odeSteps, score: score(factor: context.mutated("ode-full-g2") ? 2 : 1))
        rows += mixtureEvidence("\(name): ODE x₀ → x₁", samples: flowed, claimed: noise)
        let x1 = (0..<n).map { _ in noise.sample(&stream) }
        let back = sde.transport(x1, from: 1, to: 0, steps: odeSteps, score: score(factor: context.mutated("ode-full-g2") ? 2 : 1))
        rows += mixtureEvidence("\(name): ODE x₁ → x₀", samples: back, claimed: clean)
        let reverse = sde.simulateReverse(x1, from: 1, to: 0, steps: sdeSteps, stream: &stream,
                                          score: score(factor: context.mutated("sde-half-g2") ? 0.5 : 1))
        rows += mixtureEvidence("\(name): reverse SDE x₁ → x₀", samples: reverse, claimed: clean)
    }
    return rows
}

/// Draws against a closed-form mixture: mean, variance (fourth-moment standard error) and KS.
func mixtureEvidence(_ label: String, samples: [Double], claimed: GaussianMixture) -> [CheckRow] {
    let moments = MomentAccumulator(samples)
    return [
        .monteCarlo("mean of \(label)", closedForm: claimed.mean, estimate: moments.meanEstimate),
        .monteCarlo("variance of \(label)", closedForm: claimed.variance, estimate: moments.varianceEstimate),
        .distribution("law of \(label) (KS)", samples: samples, cdf: claimed.cdf),
    ]
}
