import CheckCore
import CheckKit
import ForwardProcess

/// The schedules against independent 50-digit reference values.
let scheduleValuesCheck = CheckDefinition(
    id: "forward.schedule-values",
    title: "βₜ and ᾱₜ of every schedule against 50-digit reference values (T = 1000)",
    parameters: [],
    mutations: [Mutation("index-shift", "0-based/1-based slip: ᾱₜ₋₁ and βₜ₋₁ reported for step t")],
    run: scheduleValuesRows
)

/// Names of the reference tables as the schedules' own names.
private let referenceNames: [(String, ScheduleReference.Values)] = [
    ("linear", ScheduleReference.linear), ("scaled-linear", ScheduleReference.scaledLinear),
    ("cosine", ScheduleReference.cosine), ("sigmoid", ScheduleReference.sigmoid),
    ("linear+zero-snr", ScheduleReference.linearZeroSNR),
    ("scaled-linear+zero-snr", ScheduleReference.scaledLinearZeroSNR),
]

@Sendable
func scheduleValuesRows(_ context: CheckContext) throws -> [CheckRow] {
    let shift = context.mutated("index-shift") ? 1 : 0
    var rows: [CheckRow] = []
    for (name, reference) in referenceNames {
        let schedule = try NoiseSchedule.named(name, steps: 1000)
        for row in reference.rows where [1, 500, 1000].contains(row.t) {
            let t = row.t - shift
            let beta = t >= 1 ? schedule.beta(t) : 0
            // ᾱ is a product of up to 1000 rounded factors: allow 1e-12, about T·2⁻⁵³.
            rows.append(.exact("\(name) β at t=\(row.t)", closedForm: beta, exact: row.beta, relativeTolerance: 1e-13))
            rows.append(.exact("\(name) ᾱ at t=\(row.t)", closedForm: schedule.alphaBar(t), exact: row.alphaBar,
                               relativeTolerance: 1e-12, floor: row.t == 1000 && name.hasSuffix("zero-snr") ? 1 : 0))
        }
    }
    return rows
}
