import CheckCore
import CheckKit
import Stochastic

/// 000 (training): the loss is "the true noise minus the predicted noise". A slip: DDPM's
/// loss is the squared error ‖ε − ε_θ‖² (Algorithm 1). A signed difference is no loss: a
/// prediction off by ±1 at random scores ≈ 0 on average, one off by +2 everywhere scores −2,
/// below a perfect model's 0; the squared error gives both their true size.
let signedLossCheck = CheckDefinition(
    id: "notes.loss-signed-difference",
    title: "The loss is ‖ε − ε_θ‖², not ε − ε_θ: a signed difference averages errors of ±1 to 0",
    parameters: [.samples(default: 100_000)],
    mutations: [Mutation("signed-loss", "the loss taken as the signed difference ε − ε_θ")],
    verdict: .slip,
    sources: [Note.n000.at("131")]
) { context in
    let signed = context.mutated("signed-loss")
    func loss(_ epsilon: Double, _ prediction: Double) -> Double {
        signed ? epsilon - prediction : (epsilon - prediction) * (epsilon - prediction)
    }
    var stream = context.randomStream
    let offByOne = MonteCarlo.mean(samples: context.samples, stream: &stream) { stream in
        let epsilon = stream.normal()
        return loss(epsilon, epsilon + (stream.uniform() < 0.5 ? 1 : -1))
    }
    let signedMean = MonteCarlo.mean(samples: context.samples, stream: &stream) { stream in
        let epsilon = stream.normal()
        return epsilon - (epsilon + (stream.uniform() < 0.5 ? 1 : -1))
    }
    let biased = -2.0  // ε − (ε + 2)
    return [
        // Every squared error is 1 up to rounding (ε ± 1 is rounded), so the mean is exact, not statistical.
        .exact("predictions off by ±1: mean loss = 1", closedForm: 1, exact: offByOne.mean),
        .monteCarlo("written: mean of ε − ε_θ for the same predictions = 0", closedForm: 0, estimate: signedMean),
        .holds("written: ε − ε_θ for predictions off by +2", value: biased, rule: "< 0: below a perfect model's 0", pass: biased < 0),
    ]
}
