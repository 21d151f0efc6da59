import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import ScoreODE
import Stochastic

/// The min-SNR-γ weights of ε, x₀ and v weigh the same objective.
let minSNRCheck = CheckDefinition(
    id: "score.min-snr",
    title: "Min-SNR-γ: min(SNR,γ)·(x̂₀−x₀)² = min(SNR,γ)/SNR·(ε̂−ε)² = min(SNR,γ)/(SNR+1)·(v̂−v)², the same objective in each target",
    parameters: [
        .schedule(), .steps(), .timesteps([1, 10, 100, 500, 1000]),
        ParameterSpec("gamma", .real(0.01...1000), default: .real(5), help: "γ (Hang et al. use 5)"),
        .points,
    ],
    mutations: [
        Mutation("v-snr-plus-one", "the v weight min(SNR + 1, γ)/(SNR + 1) (diffusers issue 5654)"),
        Mutation("epsilon-uncapped", "the ε weight γ/SNR without the cap at 1, which overweights the noisy steps where SNR < γ"),
    ],
    run: minSNRRows
)

@Sendable
func minSNRRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let gamma = context.parameters.real("gamma")
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 && schedule.alphaBar(t) < 1 {
        let p = Parameterization(schedule, t: t)
        let snr = schedule.snr(t)
        let wX0 = MinSNRWeight.weight(snr: snr, gamma: gamma, target: .x0)
        let wEpsilon = context.mutated("epsilon-uncapped") ? gamma / snr : MinSNRWeight.weight(snr: snr, gamma: gamma, target: .epsilon)
        let wV = context.mutated("v-snr-plus-one") ? min(snr + 1, gamma) / (snr + 1) : MinSNRWeight.weight(snr: snr, gamma: gamma, target: .v)
        var worstEpsilon = 0.0, worstV = 0.0
        for _ in 0..<context.parameters.integer("points") {
            let (x0, epsilon) = (stream.uniform(in: -1...1), stream.normal())
            let xt = ForwardProcess.noised(schedule, t: t, x0: x0, epsilon: epsilon)
            // An imperfect ε̂, off by 0.05…0.15 either way: away from 0, so that x̂₀ − x₀ is
            // not lost to the rounding of xₜ.
            let predicted = epsilon + (0.05 + 0.1 * stream.uniform()) * (stream.uniform() < 0.5 ? -1 : 1)
            let x0Hat = p.x0(fromEpsilon: predicted, xt: xt)
            let lossX0 = wX0 * (x0Hat - x0) * (x0Hat - x0)
            let lossEpsilon = wEpsilon * (predicted - epsilon) * (predicted - epsilon)
            let dv = p.v(x0: x0Hat, epsilon: predicted) - p.v(x0: x0, epsilon: epsilon)
            worstEpsilon = max(worstEpsilon, abs(lossEpsilon - lossX0) / lossX0)
            worstV = max(worstV, abs(wV * dv * dv - lossX0) / lossX0)
        }
        let label = "t=\(t) (SNR \(shortNumber(snr)))"
        rows.append(.holds("\(label): max rel |ε-weighted − x₀-weighted|", value: worstEpsilon, rule: "≤ 1e-9", pass: worstEpsilon <= 1e-9))
        rows.append(.holds("\(label): max rel |v-weighted − x₀-weighted|", value: worstV, rule: "≤ 1e-9", pass: worstV <= 1e-9))
    }
    return rows
}
