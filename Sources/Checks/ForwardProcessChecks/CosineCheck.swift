import CheckCore
import CheckKit
import ForwardProcess
import Foundation

/// The cosine schedule's ᾱₜ, rebuilt from its βₜ, equals f(t)/f(0) until clipping.
let cosineCheck = CheckDefinition(
    id: "forward.cosine",
    title: "Cosine schedule: ᾱₜ = ∏(1 − βₛ) equals f(t)/f(0), f(t) = cos²(((t/T)+s)/(1+s)·π/2), until β is clipped",
    parameters: [
        .steps(),
        ParameterSpec("t", .integers(1...100_000), default: .integers([1, 10, 100, 500, 900, 990]), help: "timesteps"),
    ],
    mutations: [Mutation("no-offset", "f without the offset s: cos²((t/T)·π/2)")],
    run: cosineRows
)

@Sendable
func cosineRows(_ context: CheckContext) throws -> [CheckRow] {
    let steps = context.parameters.integer("T")
    let schedule = try NoiseSchedule.cosine(steps: steps)
    let s = context.mutated("no-offset") ? 0 : 0.008
    func f(_ t: Int) -> Double {
        let c = Foundation.cos((Double(t) / Double(steps) + s) / (1 + s) * Double.pi / 2)
        return c * c
    }
    var rows: [CheckRow] = []
    for t in context.parameters.integers("t") {
        guard t <= steps else { throw CheckFailure("t = \(t) is beyond T = \(steps)") }
        guard schedule.beta(t) < 0.999 else { continue }  // clipped steps no longer follow f
        rows.append(.exact("ᾱ at t=\(t)", closedForm: f(t) / f(0), exact: schedule.alphaBar(t), relativeTolerance: 1e-12))
    }
    let clipped = schedule.beta.filter { $0 == 0.999 }.count
    rows.append(.holds("steps where β is clipped at 0.999", value: Double(clipped), rule: "≤ 1 (only t = T)", pass: clipped <= 1))
    return rows
}
