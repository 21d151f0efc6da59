import CheckCore
import CheckKit
import Stochastic

/// 004 (forward diffusion): adding Gaussian noise to the inputs in training makes a model
/// more robust; a form of data augmentation. Qualified: true in the exact sense of Bishop
/// (1995) for least squares — with input noise N of variance σ², E‖y − (X + N)w‖² = ‖y − Xw‖²
/// + nσ²‖w‖², the ridge penalty with λ = nσ² — but that is not what the noise of a diffusion
/// model is for: there the noise is what the model learns to remove.
let noiseRidgeCheck = CheckDefinition(
    id: "notes.noise-augmentation-ridge",
    title: "Input noise of variance σ² on least squares is ridge regression with λ = nσ², in expectation",
    parameters: [.samples(default: 20_000)],
    mutations: [Mutation("no-penalty", "the noisy loss taken to equal the clean loss (noise changes nothing)")],
    verdict: .qualified,
    sources: [Note.n004.at("93–95")]
) { context in
    let (n, d, sigma) = (50, 3, 0.5)
    var stream = context.randomStream
    let x = (0..<n).map { _ in (0..<d).map { _ in stream.normal() } }
    let w = [0.8, -1.2, 0.5]
    let y = x.map { row in zip(row, w).reduce(0) { $0 + $1.0 * $1.1 } + 0.3 * stream.normal() }
    func loss(_ inputs: [[Double]]) -> Double {
        zip(inputs, y).reduce(0) { total, pair in
            let residual = pair.1 - zip(pair.0, w).reduce(0) { $0 + $1.0 * $1.1 }
            return total + residual * residual
        }
    }
    let clean = loss(x)
    let penalty = Double(n) * sigma * sigma * w.reduce(0) { $0 + $1 * $1 }
    let noisy = MonteCarlo.mean(samples: context.samples, stream: &stream) { stream in
        loss(x.map { row in row.map { $0 + sigma * stream.normal() } })
    }
    let closed = context.mutated("no-penalty") ? clean : clean + penalty
    return [
        .monteCarlo("E‖y − (X+N)w‖² = ‖y − Xw‖² + nσ²‖w‖²", closedForm: closed, estimate: noisy),
        .holds("the ridge term nσ²‖w‖²", value: penalty, rule: "reported", pass: penalty > 0),
    ]
}
