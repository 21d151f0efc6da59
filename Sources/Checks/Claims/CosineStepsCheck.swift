import CheckCore
import ForwardProcess
import Foundation

/// 002 (schedules): "the cosine schedule brought the number of steps down to 50". Qualified:
/// the cosine schedule is a function of t/T, ᾱ(t/T) = f(t)/f(0), so it fixes how fast the
/// signal decays, not T: at T = 50 it is exactly the T = 1000 schedule read every 20 steps
/// (until β is clipped at the end). What it changes is where the steps go: linear β spends
/// a large share of its steps at almost pure noise, the cosine schedule far fewer.
let cosineStepsCheck = CheckDefinition(
    id: "notes.cosine-steps",
    title: "The cosine schedule is a curve in t/T: at T = 50 it is the T = 1000 one strided by 20; it wastes fewer steps on pure noise",
    parameters: [],
    mutations: [Mutation("unstrided", "ᾱ at step k of T = 50 compared with step k (not 20k) of T = 1000")],
    verdict: .qualified,
    sources: [Note.n002.at("147")]
) { context in
    let short = try NoiseSchedule.make(.cosine, steps: 50)
    let long = try NoiseSchedule.make(.cosine, steps: 1000)
    let stride = context.mutated("unstrided") ? 1 : 20
    var rows: [CheckRow] = [10, 25, 40, 49].map { k in
        .exact("ᾱ at k=\(k) of T=50 vs k·\(stride) of T=1000", closedForm: short.alphaBar(k), exact: long.alphaBar(k * stride))
    }
    let linear = try NoiseSchedule.make(.linear, steps: 1000)
    func share(_ s: NoiseSchedule) -> Double {
        Double((1...s.steps).filter { s.snr($0) < 1e-3 }.count) / Double(s.steps)
    }
    rows.append(.holds("linear: share of steps with SNR < 1e-3", value: share(linear), rule: "> cosine's", pass: share(linear) > share(long)))
    rows.append(.holds("cosine: share of steps with SNR < 1e-3", value: share(long), rule: "reported", pass: true))
    return rows
}
