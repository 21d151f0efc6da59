import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Posterior
import Stochastic

/// 004 ("the model predicts the noise: noise is simpler to learn") and 001 (ddpm.py's
/// `parameterization` eps or x0): ε, x₀ and v predictions are interchangeable given xₜ, so
/// none is "easier" as information; what differs is the loss. An error δ in ε̂ is an error
/// −δ/√SNRₜ in x̂₀ and δ/√ᾱₜ in v̂: (ε̂−ε)² = SNRₜ·(x̂₀−x₀)² and (v̂−v)² = (1+SNRₜ)·(x̂₀−x₀)².
/// So L_simple on ε is an x₀ loss weighted by SNRₜ, which spans ~9 orders of magnitude over t.
let lossWeightCheck = CheckDefinition(
    id: "notes.loss-weights",
    title: "ε, x₀, v predictions are equivalent; the ε-MSE is the x₀-MSE × SNRₜ and the v-MSE is it × (1 + SNRₜ)",
    parameters: [
        .schedule(), .steps(), .timesteps([1, 10, 100, 500, 900, 1000]),
        ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random (x₀, ε, ε̂) triples per t"),
    ],
    mutations: [Mutation("inverse-snr", "x₀-MSE = SNRₜ × ε-MSE: the weight inverted")],
    verdict: .qualified,
    sources: [Note.n004.at("19"), Note.n001.at("12")]
) { context in
    let schedule = try context.schedule
    var stream = context.randomStream
    var rows: [CheckRow] = []
    var weights: [Double] = []
    for t in try context.timesteps(schedule) where schedule.alphaBar(t) > 0 && schedule.alphaBar(t) < 1 {
        let p = Parameterization(schedule, t: t)
        let snr = schedule.snr(t)
        let claimed = context.mutated("inverse-snr") ? 1 / snr : snr
        var worstEpsilon = 0.0, worstV = 0.0
        for _ in 0..<context.parameters.integer("points") {
            let (x0, epsilon) = (stream.uniform(in: -1...1), stream.normal())
            let xt = ForwardProcess.noised(schedule, t: t, x0: x0, epsilon: epsilon)
            // An imperfect ε̂, off by 0.05…0.15 either way. The error is kept away from 0 so
            // that x̂₀ − x₀ is not lost to cancellation (rounding of xₜ over a tiny difference).
            let error = (0.05 + 0.1 * stream.uniform()) * (stream.uniform() < 0.5 ? -1 : 1)
            let predicted = epsilon + error
            let x0Hat = p.x0(fromEpsilon: predicted, xt: xt)
            let vHat = p.v(x0: x0Hat, epsilon: predicted)
            let x0Error = pow(x0Hat - x0, 2)
            let epsilonRatio = pow(predicted - epsilon, 2) / x0Error
            let vRatio = pow(vHat - p.v(x0: x0, epsilon: epsilon), 2) / x0Error
            worstEpsilon = max(worstEpsilon, abs(epsilonRatio - claimed) / claimed)
            worstV = max(worstV, abs(vRatio - (1 + snr)) / (1 + snr))
        }
        rows.append(.holds("t=\(t): max rel. gap of ε-err²/x₀-err² to SNRₜ = \(shortNumber(snr))", value: worstEpsilon,
                           rule: "≤ 1e-9", pass: worstEpsilon <= 1e-9))
        rows.append(.holds("t=\(t): max rel. gap of v-err²/x₀-err² to 1 + SNRₜ", value: worstV, rule: "≤ 1e-9", pass: worstV <= 1e-9))
        weights.append(snr)
    }
    let span = Foundation.log10((weights.max() ?? 1) / (weights.min() ?? 1))
    rows.append(.holds("decades of SNRₜ across these t (the implied x₀ weight)", value: span, rule: "reported", pass: true))
    return rows
}
