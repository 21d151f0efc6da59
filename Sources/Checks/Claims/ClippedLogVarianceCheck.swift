import CheckCore
import ForwardProcess
import Foundation
import Posterior

/// 001 (ddpm.py's sampling): `q_posterior` returns `posterior_log_variance_clipped`. True, and
/// needed: β̃₁ = β₁(1 − ᾱ₀)/(1 − ᾱ₁) = 0 exactly (ᾱ₀ = 1), whose log is −∞; the code stores
/// log β̃₂ at t = 1 instead, a finite value (the step at t = 1 adds no noise anyway).
let clippedLogVarianceCheck = CheckDefinition(
    id: "notes.posterior-logvar-clipped",
    title: "The posterior's log variance is clipped at t = 1: β̃₁ = 0 has log −∞, so log β̃₂ stands in",
    parameters: [],
    mutations: [Mutation("unclipped", "log β̃₁ itself, unclipped")],
    verdict: .true,
    sources: [Note.n001.at("15")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let first = try ForwardPosterior(schedule, t: 1), second = try ForwardPosterior(schedule, t: 2)
    let stored = context.mutated("unclipped") ? Foundation.log(first.variance) : first.logVarianceClipped
    let direct = schedule.beta(2) * (1 - schedule.alphaBar(1)) / (1 - schedule.alphaBar(2))
    return [
        .holds("β̃₁", value: first.variance, rule: "= 0: its log is −∞", pass: first.variance == 0),
        .exact("β̃₂ vs β₂(1 − ᾱ₁)/(1 − ᾱ₂)", closedForm: second.variance, exact: direct),
        .exact("the stored log variance at t = 1 vs log β̃₂", closedForm: stored, exact: Foundation.log(direct)),
    ]
}
