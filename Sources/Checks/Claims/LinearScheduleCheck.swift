import CheckCore
import ForwardProcess
import Foundation

/// 002 (schedules): DDPM's linear schedule raises βₜ from 0.0001 to 0.02 in equal steps over
/// T = 1000. True; what it leaves at t = T is ᾱ_T ≈ 4·10⁻⁵.
let linearScheduleCheck = CheckDefinition(
    id: "notes.linear-schedule",
    title: "DDPM's linear schedule: β from 1e-4 to 0.02 in equal steps over T = 1000",
    parameters: [],
    mutations: [Mutation("end-0.2", "β_T = 0.2, a slip of one decimal")],
    verdict: .true,
    sources: [Note.n002.at("139–141")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let end = context.mutated("end-0.2") ? 0.2 : 0.02
    let increments = zip(schedule.beta.dropFirst(), schedule.beta).map { $0 - $1 }
    let expected = (end - 1e-4) / 999
    let worst = increments.map { abs($0 - expected) / expected }.max() ?? .infinity
    let viaLogs = Foundation.exp(schedule.beta.reduce(0) { $0 + Foundation.log1p(-$1) })
    return [
        .exact("β₁", closedForm: schedule.beta(1), exact: 1e-4),
        .exact("β_T", closedForm: schedule.beta(1000), exact: end),
        .holds("max rel. deviation of βₜ₊₁ − βₜ from (β_T − β₁)/999", value: worst, rule: "≤ 1e-9", pass: worst <= 1e-9),
        .exact("ᾱ_T vs exp(Σ log(1 − βₜ))", closedForm: schedule.alphaBar(1000), exact: viaLogs),
    ]
}
