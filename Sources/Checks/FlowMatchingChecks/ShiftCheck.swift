import CheckCore
import FlowMatching

/// SD3's shift multiplies σ = t/(1 − t) by s.
let shiftCheck = CheckDefinition(
    id: "flow.sd3-shift",
    title: "SD3's timestep shift t' = s·t/(1 + (s−1)t) multiplies σ = t/(1−t) by s (divides the SNR by s²), keeps t = 0 and 1, and preserves order",
    parameters: [
        ParameterSpec("shift", .real(0.01...100), default: .real(3), help: "the shift s (SD3 uses 3 at 1024²)"),
        ParameterSpec("time", .reals(0...1), default: .reals([0, 0.1, 0.5, 0.9, 0.999, 1]), help: "times t in [0, 1]"),
    ],
    mutations: [
        Mutation("no-minus-one", "t' = s·t/(1 + s·t): the −1 in the denominator dropped"),
        Mutation("inverse-shift", "t' = t/(s − (s−1)t): the shift applied the other way (σ/s)"),
    ],
    run: shiftRows
)

@Sendable
func shiftRows(_ context: CheckContext) throws -> [CheckRow] {
    let s = context.parameters.real("shift")
    let times = context.parameters.reals("time")
    guard !times.isEmpty else { throw CheckFailure("give at least one t") }
    func shifted(_ t: Double) -> Double {
        if context.mutated("no-minus-one") { return s * t / (1 + s * t) }
        if context.mutated("inverse-shift") { return t / (s - (s - 1) * t) }
        return TimestepShift.shifted(t, shift: s)
    }
    var rows: [CheckRow] = []
    for t in times {
        let label = "t=\(shortNumber(t))"
        if t == 0 || t == 1 {
            rows.append(.exact("\(label): t' = t at the ends", closedForm: shifted(t), exact: t, relativeTolerance: 1e-15, floor: 1))
        } else {
            rows.append(.exact("\(label): σ(t') vs s·σ(t)", closedForm: LinearPath(t: shifted(t)).sigma, exact: s * LinearPath(t: t).sigma,
                               relativeTolerance: 1e-12))
        }
    }
    let grid = (0...1000).map { Double($0) / 1000 }.map(shifted)
    let increasing = zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 }
    rows.append(.holds("t' strictly increasing on a grid of 1001 times", value: increasing ? 1 : 0, rule: "= 1", pass: increasing))
    return rows
}
