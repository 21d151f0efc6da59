import CheckCore
import CheckKit
import Gaussian
import LatentDiffusion
import Neural

/// The committed autoencoder keeps the images: decoding the posterior mean of test images
/// gives a PSNR (on the 28×28 image in [0, 1]) above a bound; decoding them divided by
/// Stable Diffusion's 0.18215 (its scale factor, carried over to another autoencoder) does not.
let reconstructionCheck = CheckDefinition(
    id: "latent.reconstruction",
    title: "The committed autoencoder reconstructs test images: PSNR of D(μ(x)) against x",
    parameters: [.samples(default: 500), ParameterSpec("bound", .real(0...100), default: .real(20), help: "the smallest acceptable PSNR, dB")],
    mutations: [Mutation("sd-constant", "decode μ/0.18215: Stable Diffusion's scale factor undone on latents that never had it")],
    run: reconstructionRows
)

@Sendable
func reconstructionRows(_ context: CheckContext) throws -> [CheckRow] {
    let models = try CommittedModels.load()
    let test = try FashionMNIST.load(split: .test, limit: context.parameters.integer("samples"))
    let factor: Float = context.mutated("sd-constant") ? 1 / 0.18215 : 1
    let quality = ReconstructionQuality.psnr(models.pipeline.autoencoder, data: test, latentScale: factor)
    let bound = context.parameters.real("bound")
    return [
        .holds(String(format: "PSNR on %d test images (MSE %.5f)", test.count, quality.meanSquaredError), value: quality.psnr, rule: "≥ \(bound) dB", pass: quality.psnr >= bound),
    ]
}
