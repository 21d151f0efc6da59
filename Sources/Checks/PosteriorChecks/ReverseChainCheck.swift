import CheckCore
import CheckKit
import ForwardProcess
import Gaussian
import Posterior
import Stochastic

/// With the exact denoiser and the true reverse variance, the chain reproduces N(m, s²);
/// with a fixed σ² it produces a known, slightly different Gaussian.
/// The cell's reverse variance: the true one (`"true"`) or one of DDPM's two fixed choices.
enum ChainVariance: String, CaseIterable {
    case trueReverse = "true", small, large
}

let reverseChainCheck = CheckDefinition(
    id: "posterior.reverse-chain",
    title: "Data N(m, s²) and the exact ε*(xₜ) = E[ε|xₜ]: the reverse chain's x₀, sampled, against its exact law and the data",
    parameters: [
        .schedule(), .steps(),
        ParameterSpec("mean", .real(-5...5), default: .real(0.5), help: "m, the data mean"),
        ParameterSpec("variance", .real(1e-4...10), default: .real(0.09), help: "s², the data variance"),
        ParameterSpec("reverseVariance", .choice(of: ChainVariance.self), default: .text("true"),
                      help: "σₜ²: true = β̃ₜ + coef1²·Var(x₀|xₜ) (from q(x_T)), small = β̃ₜ, large = βₜ (from N(0,1))"),
        .samples(default: 100_000),
    ],
    mutations: [Mutation("point-mass-denoiser", "ε* = (xₜ − √ᾱₜ m)/√(1−ᾱₜ): the denoiser of a point mass used on spread data")],
    run: reverseChainRows
)

@Sendable
func reverseChainRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let data = Gaussian(mean: context.parameters.real("mean"), variance: context.parameters.real("variance"))
    let truth = GaussianDataDenoiser(data: data)
    let denoiser = context.mutated("point-mass-denoiser") ? GaussianDataDenoiser(data: Gaussian(mean: data.mean, variance: 0)) : truth
    let choice: ChainVariance = try context.parameters.choice("reverseVariance")
    let noise: ChainNoise = switch choice {
    case .trueReverse: .trueReverse
    case .small: .fixed(.small)
    case .large: .fixed(.large)
    }
    let chain = ReverseChain(schedule: schedule, denoiser: denoiser, noise: noise)
    // The true reverse chain starts from q(x_T); DDPM's sampler from N(0, 1).
    let start = choice == .trueReverse ? truth.noisedLaw(schedule, t: schedule.steps) : .standard
    var stream = context.randomStream
    let x = try chain.sample(context.parameters.integer("samples"), from: start, stream: &stream)
    let law = try chain.exactLaw(from: start)
    var rows = gaussianEvidence("sampled x₀ vs its exact law", samples: x, claimed: law)
    if choice == .trueReverse {
        rows.append(.exact("exact law of x₀: mean = m", closedForm: law.mean, exact: data.mean, floor: data.standardDeviation))
        rows.append(.exact("exact law of x₀: variance = s²", closedForm: law.variance, exact: data.variance))
    } else {
        rows.append(.holds("exact law of x₀: mean − m", value: law.mean - data.mean, rule: "reported", pass: true))
        rows.append(.holds("exact law of x₀: variance / s²", value: law.variance / data.variance, rule: "reported", pass: true))
    }
    return rows
}

/// DDPM §3.2: σ² = βₜ is the true reverse variance for x₀ ~ N(0, 1), σ² = β̃ₜ for a point.
let varianceChoiceCheck = CheckDefinition(
    id: "posterior.variance-choice",
    title: "DDPM §3.2: the true reverse variance is βₜ when x₀ ~ N(0,1) and β̃ₜ when x₀ is one point",
    parameters: [.schedule(), .steps(), .timesteps([1, 2, 10, 500, 1000])],
    mutations: [Mutation("swapped", "the claim reversed: β̃ₜ for N(0,1) data, βₜ for a point")],
    run: varianceChoiceRows
)

/// W₂² between N(a, u) and N(b, w): (a − b)² + (√u − √w)².
func wasserstein2(_ p: Gaussian, _ q: Gaussian) -> Double {
    let d = p.mean - q.mean, s = p.standardDeviation - q.standardDeviation
    return d * d + s * s
}

@Sendable
func varianceChoiceRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let swapped = context.mutated("swapped")
    let cases: [(String, Gaussian, ReverseVariance)] = [
        ("x₀ ~ N(0,1)", .standard, swapped ? .small : .large),
        ("x₀ = 0.5", Gaussian(mean: 0.5, variance: 0), swapped ? .large : .small),
    ]
    var rows: [CheckRow] = []
    for (label, data, claimed) in cases {
        let denoiser = GaussianDataDenoiser(data: data)
        for t in try context.timesteps(schedule) where t >= 2 || claimed == .small {
            rows.append(.exact("\(label), t=\(t): true Var(xₜ₋₁|xₜ) = \(claimed == .small ? "β̃" : "β")",
                               closedForm: claimed.value(schedule, t: t), exact: try denoiser.reverseVariance(schedule, t: t),
                               relativeTolerance: 1e-12, floor: schedule.beta(t) * 1e-3))
        }
        // How far each fixed choice lands from the data, run as DDPM samples (x_T ~ N(0,1)).
        if schedule.alpha(schedule.steps) > 0 {
            for choice in ReverseVariance.allCases {
                let law = try ReverseChain(schedule: schedule, denoiser: denoiser, noise: .fixed(choice)).exactLaw()
                rows.append(.holds("\(label): W₂² of the sampled x₀ to the data, σ² = \(choice == .small ? "β̃" : "β")",
                                   value: wasserstein2(law, data), rule: "reported", pass: true))
            }
        }
    }
    return rows
}
