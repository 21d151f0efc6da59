import CheckCore
import CheckKit
import Foundation
import Stochastic

/// 003 (the training objective): Jensen's inequality is quoted as f(E[X]) ≥ E[f(X)] and applied
/// to the log. Qualified: that direction holds for concave f (the log, as used), and reverses
/// for convex f; the notes leave the condition out. X ~ U(0.1, 2): E log X and E eˣ are known
/// in closed form, so both directions are measured.
let jensenCheck = CheckDefinition(
    id: "notes.jensen-direction",
    title: "Jensen: f(E X) ≥ E f(X) for concave f (log, as the ELBO uses it); the inequality reverses for convex f (exp)",
    parameters: [.samples(default: 200_000)],
    mutations: [Mutation("convex-as-written", "the written direction f(E X) ≥ E f(X) applied to the convex exp")],
    verdict: .qualified,
    sources: [Note.n003.at("56–57")]
) { context in
    let (a, b) = (0.1, 2.0)
    let meanX = (a + b) / 2
    let meanLog = ((b * Foundation.log(b) - b) - (a * Foundation.log(a) - a)) / (b - a)
    let meanExp = (Foundation.exp(b) - Foundation.exp(a)) / (b - a)
    var stream = context.randomStream
    let logs = MonteCarlo.mean(samples: context.samples, stream: &stream) { Foundation.log($0.uniform(in: a...b)) }
    let exps = MonteCarlo.mean(samples: context.samples, stream: &stream) { Foundation.exp($0.uniform(in: a...b)) }
    let concaveGap = Foundation.log(meanX) - meanLog
    let convexGap = Foundation.exp(meanX) - meanExp
    let written = context.mutated("convex-as-written")
    return [
        .monteCarlo("E log X", closedForm: meanLog, estimate: logs),
        .monteCarlo("E eˣ", closedForm: meanExp, estimate: exps),
        .holds("log (concave): log E X − E log X", value: concaveGap, rule: "≥ 0: as written", pass: concaveGap >= 0),
        .holds("exp (convex): exp E X − E eˣ", value: convexGap, rule: written ? "≥ 0: as written" : "≤ 0: reversed", pass: written ? convexGap >= 0 : convexGap <= 0),
    ]
}
