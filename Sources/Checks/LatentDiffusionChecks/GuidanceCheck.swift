import CheckCore
import CheckKit
import Gaussian
import LatentDiffusion
import Neural

/// Classifier-free guidance (Ho & Salimans 2022) on the committed U-Net: the guided
/// prediction the sampler uses equals ε̂ = ε_θ(z_t, ∅) + w·(ε_θ(z_t, c) − ε_θ(z_t, ∅)), with
/// ε_θ(·, c) and ε_θ(·, ∅) computed separately (w = 1 and w = 0), and the prompt changes the
/// prediction (else guidance would do nothing).
let guidanceCheck = CheckDefinition(
    id: "latent.cfg",
    title: "Classifier-free guidance: ε̂ = ε_∅ + w(ε_c − ε_∅) in the sampler of the committed U-Net",
    parameters: [ParameterSpec("guidance", .real(0...50), default: .real(3), help: "the guidance scale w"),
                 ParameterSpec("t", .integer(1...1000), default: .integer(500), help: "the diffusion step")],
    mutations: [Mutation("swapped", "ε_c + w(ε_∅ − ε_c): the two predictions exchanged")],
    run: guidanceRows
)

@Sendable
func guidanceRows(_ context: CheckContext) throws -> [CheckRow] {
    let models = try CommittedModels.load()
    let w = context.parameters.real("guidance"), index = context.parameters.integer("t") - 1
    let prompts = (0..<10).map(Prompt.forClass)
    let d = LatentCodes.dimensions
    var stream = context.randomStream
    let x = (0..<(prompts.count * d)).map { _ in Float(stream.normal()) }
    func predict(_ guidance: Double) -> [Float] {
        var output = [Float](repeating: 0, count: x.count)
        let denoiser = GuidedDenoiser(model: models.unet, encoder: models.pipeline.encoder, prompts: prompts, guidance: guidance)
        x.withUnsafeBufferPointer { points in
            output.withUnsafeMutableBufferPointer { denoiser.predict(points.baseAddress!, count: prompts.count, index: index, into: $0.baseAddress!) }
        }
        return output
    }
    let conditional = predict(1), unconditional = predict(0), guided = predict(w)
    var worst = 0.0, largest = 0.0, gap = 0.0, size = 0.0
    for k in x.indices {
        let (c, u) = context.mutated("swapped") ? (Double(unconditional[k]), Double(conditional[k])) : (Double(conditional[k]), Double(unconditional[k]))
        worst = max(worst, abs(Double(guided[k]) - (u + w * (c - u))))
        largest = max(largest, abs(Double(guided[k])))
        gap += (c - u) * (c - u)
        size += u * u
    }
    return [
        .exact("largest |ε̂ − (ε_∅ + w(ε_c − ε_∅))| / largest |ε̂|, 10 prompts, w = \(w), t = \(index + 1)", closedForm: worst / max(largest, 1e-30), exact: 0, relativeTolerance: 1e-5, floor: 1),
        .holds("‖ε_c − ε_∅‖ / ‖ε_∅‖: the prompt changes the prediction", value: (gap / max(size, 1e-30)).squareRoot(), rule: "> 0.01", pass: (gap / max(size, 1e-30)).squareRoot() > 0.01),
    ]
}
