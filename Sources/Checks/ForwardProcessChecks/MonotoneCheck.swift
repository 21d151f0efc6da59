import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Stochastic

/// ᾱₜ = ᾱₜ₋₁(1 − βₜ) < ᾱₜ₋₁ for any βₜ ∈ (0, 1): no ordering of β is needed.
let monotoneCheck = CheckDefinition(
    id: "forward.monotone",
    title: "ᾱₜ strictly decreases for any β ∈ (0,1), ordered or not",
    parameters: [
        ParameterSpec("sequences", .integer(1...1000), default: .integer(20), help: "random β sequences"),
        ParameterSpec("T", .integer(2...700), default: .integer(50), help: "steps per sequence (ᾱ must stay above Double's underflow)"),
    ],
    mutations: [Mutation("linearized", "ᾱₜ ≈ 1 − Σₛ βₛ, the first-order expansion of the product")],
    run: monotoneRows
)

@Sendable
func monotoneRows(_ context: CheckContext) throws -> [CheckRow] {
    var stream = context.randomStream
    let steps = context.parameters.integer("T")
    var worstRatio = 0.0, worstLogError = 0.0, unorderedSequences = 0
    var minimum = Double.infinity
    for _ in 0..<context.parameters.integer("sequences") {
        // β uniform on (0, 1), in random order (almost surely not monotone).
        let beta = (0..<steps).map { _ in stream.uniformPositive() * 0.999_999 }
        let schedule = try NoiseSchedule(name: "random", beta: beta)
        let bars: [Double] = context.mutated("linearized")
            ? (1...steps).map { t in 1 - beta[..<t].reduce(0, +) }
            : schedule.alphaBar
        if zip(beta, beta.dropFirst()).contains(where: { $0 > $1 }) { unorderedSequences += 1 }
        var previous = 1.0
        for bar in bars {
            worstRatio = max(worstRatio, bar / previous)
            minimum = min(minimum, bar)
            previous = bar
        }
        // A second derivation of ᾱ_T: exp(Σ log(1 − βₛ)).
        let viaLogs = Foundation.exp(beta.reduce(0) { $0 + Foundation.log1p(-$1) })
        worstLogError = max(worstLogError, abs((bars[steps - 1] - viaLogs) / viaLogs))
    }
    return [
        .holds("sequences with β not sorted", value: Double(unorderedSequences), rule: "> 0", pass: unorderedSequences > 0),
        .holds("max over t of ᾱₜ/ᾱₜ₋₁", value: worstRatio, rule: "< 1", pass: worstRatio < 1),
        .holds("min over t of ᾱₜ", value: minimum, rule: "> 0", pass: minimum > 0),
        .holds("max rel. gap of ᾱ_T to exp(Σ log(1−βₛ))", value: worstLogError, rule: "≤ 1e-12", pass: worstLogError <= 1e-12),
    ]
}
