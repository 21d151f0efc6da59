import CheckCore
import Foundation
import ScoreODE

/// The Karras σ levels: the ends, the final 0, and equal steps in σ^{1/ρ} (eq. 5).
let karrasCheck = CheckDefinition(
    id: "samplers.karras",
    title: "Karras σ levels (EDM eq. 5): the first level σ_max, the last σ_min, then 0; σ^{1/ρ} evenly spaced, strictly decreasing",
    parameters: [
        ParameterSpec("levels", .integer(2...10_000), default: .integer(25), help: "N, the σ levels before the final 0"),
        ParameterSpec("sigma-min", .real(1e-6...10), default: .real(0.002), help: "σ_min"),
        ParameterSpec("sigma-max", .real(1e-3...1e6), default: .real(80), help: "σ_max"),
        ParameterSpec("rho", .real(0.1...100), default: .real(7), help: "ρ"),
    ],
    mutations: [
        Mutation("rho-inverted", "σᵢ = (σ_max^ρ + i/(N−1)·(σ_min^ρ − σ_max^ρ))^{1/ρ}: the exponent and its inverse swapped"),
        Mutation("no-final-zero", "the levels end at σ_min: the last step never removes the last noise"),
    ],
    run: karrasRows
)

@Sendable
func karrasRows(_ context: CheckContext) throws -> [CheckRow] {
    let p = context.parameters
    let (count, minimum, maximum, rho) = (p.integer("levels"), p.real("sigma-min"), p.real("sigma-max"), p.real("rho"))
    var sigmas: [Double]
    do { sigmas = try SigmaSpacing.karras.sigmas(count: count, minimum: minimum, maximum: maximum, rho: rho) } catch let error as SigmaSpacingError {
        throw CheckFailure(error.description)
    }
    if context.mutated("rho-inverted") {
        let (top, bottom, last) = (pow(maximum, rho), pow(minimum, rho), Double(count - 1))
        sigmas = (0..<count).map { i in pow(top + Double(i) / last * (bottom - top), 1 / rho) } + [0]
    }
    if context.mutated("no-final-zero") { sigmas.removeLast() }
    var rows: [CheckRow] = [
        .holds("levels, final 0 included", value: Double(sigmas.count), rule: "= N + 1 = \(count + 1)", pass: sigmas.count == count + 1),
        .holds("last level", value: sigmas.last ?? .nan, rule: "= 0", pass: sigmas.last == 0),
        .exact("σ₀ vs σ_max", closedForm: sigmas[0], exact: maximum, relativeTolerance: 1e-12),
        .exact("σ at i = N−1 vs σ_min", closedForm: sigmas[count - 1], exact: minimum, relativeTolerance: 1e-12),
    ]
    let decreasing = zip(sigmas, sigmas.dropFirst()).allSatisfy { $0 > $1 }
    rows.append(.holds("strictly decreasing", value: decreasing ? 1 : 0, rule: "= 1", pass: decreasing))
    // σᵢ^{1/ρ} against the straight line between the ends, relative to the line's span.
    let (top, bottom) = (pow(maximum, 1 / rho), pow(minimum, 1 / rho))
    var worst = 0.0
    for i in 0..<count {
        let line: Double = top + Double(i) / Double(count - 1) * (bottom - top)
        let gap: Double = abs(pow(sigmas[i], 1 / rho) - line) / (top - bottom)
        worst = max(worst, gap)
    }
    rows.append(.holds("max |σᵢ^{1/ρ} − linear| / (σ_max^{1/ρ} − σ_min^{1/ρ})", value: worst, rule: "≤ 1e-12", pass: worst <= 1e-12))
    return rows
}
