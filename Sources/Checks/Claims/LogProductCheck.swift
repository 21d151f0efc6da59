import CheckCore
import Foundation

/// 002's KL walk-through writes log(x₁)·log(x₂) = log(x₁ + x₂). The rule it needs is
/// log(x₁x₂) = log x₁ + log x₂ (a log of a product is a sum of logs).
let logProductCheck = CheckDefinition(
    id: "notes.log-product",
    title: "\"log x₁ · log x₂ = log(x₁ + x₂)\" is false; log(x₁x₂) = log x₁ + log x₂ is the rule",
    parameters: [],
    mutations: [Mutation("written-rule", "the notes' rule log x₁ · log x₂ = log(x₁ + x₂) taken as the identity")],
    verdict: .false,
    sources: [Note.n002.at("312")]
) { context in
    logRuleRows(
        correctName: "log(x₁x₂) = log x₁ + log x₂", writtenName: "log x₁·log x₂ = log(x₁+x₂)",
        mutated: context.mutated("written-rule"),
        correct: { x1, x2 in (Foundation.log(x1 * x2), Foundation.log(x1) + Foundation.log(x2)) },
        written: { x1, x2 in (Foundation.log(x1) * Foundation.log(x2), Foundation.log(x1 + x2)) })
}
