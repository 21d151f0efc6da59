import CheckCore
import Foundation

/// 002's KL walk-through writes log(x₁ − x₂) = log(x₁)/log(x₂). The rule it needs is
/// log(x₁/x₂) = log x₁ − log x₂ (a log of a quotient is a difference of logs).
let logDifferenceCheck = CheckDefinition(
    id: "notes.log-difference",
    title: "\"log(x₁ − x₂) = log x₁ / log x₂\" is false; log(x₁/x₂) = log x₁ − log x₂ is the rule",
    parameters: [],
    mutations: [Mutation("written-rule", "the notes' rule log(x₁ − x₂) = log x₁ / log x₂ taken as the identity")],
    verdict: .false,
    sources: [Note.n002.at("314")]
) { context in
    logRuleRows(
        correctName: "log(x₁/x₂) = log x₁ − log x₂", writtenName: "log(x₁−x₂) = log x₁/log x₂",
        mutated: context.mutated("written-rule"),
        correct: { x1, x2 in (Foundation.log(x1 / x2), Foundation.log(x1) - Foundation.log(x2)) },
        written: { x1, x2 in
            // log(x₁ − x₂) is not even defined when x₁ ≤ x₂: the gap is then infinite.
            (x1 > x2 ? Foundation.log(x1 - x2) : -.infinity, Foundation.log(x1) / Foundation.log(x2))
        })
}
