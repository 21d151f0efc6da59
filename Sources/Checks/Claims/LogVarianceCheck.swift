import CheckCore
import Foundation

/// 001 (ddpm.py's p_sample and p_sample_loop): a step returns model_mean + mask·exp(½·log
/// variance)·noise, the mask zero at the last step, and the loop runs over reversed(range(0,
/// T)). True: exp(½ log σ²) = σ, the standard deviation (where 000 multiplies by the variance,
/// see notes.sampling-std); the loop makes exactly T = 1000 calls, code index i being the
/// paper's t = i + 1, and the mask silences the noise only at i = 0, the paper's t = 1
/// (Algorithm 2).
let logVarianceCheck = CheckDefinition(
    id: "notes.logvar-std",
    title: "ddpm.py's exp(½·log σ²) is σ; reversed(range(0, T)) makes T calls, noise-free only at index 0 (t = 1)",
    parameters: [],
    mutations: [Mutation("exp-log", "the multiplier exp(log σ²) = σ², without the ½")],
    verdict: .true,
    sources: [Note.n001.at("17"), Note.n001.at("19")]
) { context in
    let variance = 0.09
    let half = context.mutated("exp-log") ? 1.0 : 0.5
    let indices = Array((0..<1000).reversed())
    let silent = indices.filter { $0 == 0 }.count  // nonzero_mask = (t != 0)
    return [
        .exact("exp(½·log 0.09) = 0.3", closedForm: Foundation.exp(half * Foundation.log(variance)), exact: 0.3),
        .exact("calls of the loop", closedForm: Double(indices.count), exact: 1000),
        .exact("steps without noise", closedForm: Double(silent), exact: 1),
        .exact("paper t of the last call (code index + 1)", closedForm: Double((indices.last ?? -1) + 1), exact: 1),
    ]
}
