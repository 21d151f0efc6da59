import CheckCore
import CheckKit
import ForwardProcess
import Posterior

/// 002's sampling walk-through: each reverse step subtracts part of the predicted noise,
/// the first step little and later steps more, "because β increases". Qualified: along the
/// reverse process (t = T → 1) β *decreases*; what grows is the share of the noise still in
/// xₜ that the step removes, sₜ = βₜ/(1 − ᾱₜ), which reaches 1 at t = 1 because 1 − ᾱₜ
/// shrinks faster than βₜ. The coefficient of ε_θ itself, βₜ/(√αₜ √(1−ᾱₜ)), is largest at
/// the first reverse step.
let noiseShareCheck = CheckDefinition(
    id: "notes.noise-share",
    title: "\"Later reverse steps subtract more noise because β increases\": the removed share βₜ/(1−ᾱₜ) grows to 1, but β shrinks",
    parameters: [.schedule(), .steps(), .timesteps([1000, 500, 100, 10, 2, 1])],
    mutations: [Mutation("beta-driven", "the share removed taken as βₜ itself, as the stated reason implies")],
    verdict: .qualified,
    sources: [Note.n002.at("184–192")]
) { context in
    let schedule = try context.schedule
    func share(_ t: Int) -> Double {
        context.mutated("beta-driven") ? schedule.beta(t) : schedule.beta(t) / schedule.oneMinusAlphaBar(t)
    }
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        // Independently: √αₜ μ̃ keeps √αₜ·coef2 of the noise √(1−ᾱₜ)ε in xₜ, so it removes 1 − √αₜ·coef2.
        let removed = 1 - schedule.alpha(t).squareRoot() * (try ForwardPosterior(schedule, t: t)).coef2
        rows.append(.exact("t=\(t): share of the noise removed, βₜ/(1−ᾱₜ)", closedForm: share(t), exact: removed,
                           relativeTolerance: 1e-9, floor: 1e-6))
    }
    let coefficient = { (t: Int) in schedule.beta(t) / (schedule.alpha(t).squareRoot() * schedule.sqrtOneMinusAlphaBar(t)) }
    let largest = (1...schedule.steps).max { coefficient($0) < coefficient($1) } ?? 0
    rows.append(.holds("β at the first reverse step (t=T) minus β at the last (t=1)", value: schedule.beta(schedule.steps) - schedule.beta(1),
                       rule: "> 0: β falls from t=T to 1", pass: schedule.beta(schedule.steps) >= schedule.beta(1)))
    rows.append(.holds("t where the coefficient of ε_θ, βₜ/(√αₜ√(1−ᾱₜ)), is largest", value: Double(largest),
                       rule: "reported", pass: largest >= 1))
    return rows
}
