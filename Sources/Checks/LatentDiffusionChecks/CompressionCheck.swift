import CheckCore
import CheckKit
import Gaussian
import LatentDiffusion
import Neural

/// Why latent space: the committed autoencoder maps a 1×32×32 image to 4×8×8 numbers, a
/// compression of (32/8)²·(1/4) = 4 numbers of pixels per latent number (each of the two
/// stride-2 downsamples divides the positions by 4, the channels go from 1 to 4); and the
/// U-Net's matrix work per image (sgemm multiply-adds, measured) at 8×8 against the same
/// network run on a 32×32 grid.
let compressionCheck = CheckDefinition(
    id: "latent.compression",
    title: "Latent space: 1024 pixels → 256 latent numbers (factor 4), and the U-Net's work per image at 8×8 vs 32×32",
    parameters: [],
    mutations: [Mutation("per-axis", "the downsampling counted once per axis, not squared: factor (32/8)·(1/4) = 1")],
    run: compressionRows
)

@Sendable
func compressionRows(_ context: CheckContext) throws -> [CheckRow] {
    let models = try CommittedModels.load()
    let tape = Tape()
    tape.isRecording = false
    let image = tape.input(shape: [1, 1, 32, 32]) { $0.update(repeating: -1, count: 1024) }
    let latent = tape.value(models.pipeline.autoencoder.encode(image, on: tape).mean)
    let measured = 1024.0 / Double(latent.count)
    let downsampling = 32.0 / Double(latent.shape[2])
    let factor = context.mutated("per-axis") ? downsampling / Double(latent.shape[1]) : downsampling * downsampling / Double(latent.shape[1])

    func work(side: Int) -> Double {
        let tape = Tape()
        tape.isRecording = false
        let x = tape.input(shape: [1, 4, side, side]) { $0.update(repeating: 0.1, count: 4 * side * side) }
        let context = models.pipeline.encoder([Prompt.forClass(7)], on: tape)
        let profile = GemmProfile()
        _ = profile.counting { models.unet(x, indices: [500], context: context, on: tape) }
        return profile.flops / 2
    }
    let small = work(side: 8), large = work(side: 32)
    return [
        .exact("pixels per latent number, (H/h)²·C/c vs the encoder's output shape \(latent.shape)", closedForm: factor, exact: measured),
        .holds(String(format: "U-Net sgemm multiply-adds per image at 8×8: %.1f M; at 32×32: %.1f M; ratio", small / 1e6, large / 1e6),
               value: large / small, rule: "≥ 15 (16× the positions; the time-embedding MLP does not grow)", pass: large / small >= 15),
    ]
}
