import CheckCore
import CheckKit
import ForwardProcess

/// ᾱ_T of each schedule: how much signal is left at the last step.
let terminalCheck = CheckDefinition(
    id: "forward.terminal",
    title: "What is left at t = T: ᾱ_T of each schedule, and zero terminal SNR",
    parameters: [.steps()],
    mutations: [Mutation("scale-only", "zero-SNR rescale that only scales √ᾱ (no shift): √ᾱ_T stays above 0")],
    run: terminalRows
)

@Sendable
func terminalRows(_ context: CheckContext) throws -> [CheckRow] {
    let steps = context.parameters.integer("T")
    var rows: [CheckRow] = []
    for kind in ScheduleKind.allCases {
        let schedule = try NoiseSchedule.make(kind, steps: steps)
        let rescaled: NoiseSchedule = context.mutated("scale-only") ? schedule : try schedule.rescaledToZeroTerminalSNR()
        rows.append(.holds("\(kind.rawValue): √ᾱ_T (signal left)", value: schedule.sqrtAlphaBar(steps), rule: "> 0", pass: schedule.alphaBar(steps) > 0))
        rows.append(.holds("\(kind.rawValue)+zero-snr: ᾱ_T", value: rescaled.alphaBar(steps), rule: "= 0", pass: rescaled.alphaBar(steps) == 0))
        rows.append(.exact("\(kind.rawValue)+zero-snr: ᾱ₁ unchanged", closedForm: rescaled.alphaBar(1), exact: schedule.alphaBar(1), relativeTolerance: 1e-12))
    }
    if steps == 1000 {
        // The values quoted for the usual T = 1000, to the digits quoted (half a unit of the last one).
        let linear = try NoiseSchedule.make(.linear, steps: steps).alphaBar(steps)
        rows.append(.exact("linear ᾱ_T vs the quoted 4.04e-5", closedForm: linear, exact: 4.04e-5, relativeTolerance: 0.005 / 4.04))
        let scaled = try NoiseSchedule.make(.scaledLinear, steps: steps).sqrtAlphaBar(steps)
        rows.append(.exact("scaled-linear √ᾱ_T vs the quoted 0.068", closedForm: scaled, exact: 0.068, relativeTolerance: 0.5 / 68))
    }
    return rows
}
