import CheckCore
import CheckKit
import Foundation
import Gaussian
import LatentDiffusion
import Neural
import Stochastic

/// The latent scale factor (LDM's scale_by_std): f = 1/std of z = μ + σε over the first
/// training batch, stored with the U-Net; recomputed here from the committed autoencoder
/// and the same draws. Scaled latents of held-out test images then have a variance near 1,
/// the variance the diffusion's N(0, I) prior assumes for x_T.
let scaleFactorCheck = CheckDefinition(
    id: "latent.scale-factor",
    title: "The scale factor f = 1/std(z) of the first training batch, and unit variance of f·z on test images",
    parameters: [.samples(default: 500)],
    mutations: [Mutation("sd-constant", "Stable Diffusion's 0.18215 (the value for its own VAE) in place of this autoencoder's f")],
    run: scaleFactorRows
)

@Sendable
func scaleFactorRows(_ context: CheckContext) throws -> [CheckRow] {
    let models = try CommittedModels.load()
    guard let seedText = models.unetFile.metadata["seed"], let seed = UInt64(seedText) else {
        throw LatentCheckpointError("Models/unet.safetensors has no training seed in its metadata")
    }
    let train = try FashionMNIST.load(split: .train, limit: 64)
    let recomputed = UNetTask.scaleFactor(of: LatentCodes(encoding: train, with: models.pipeline.autoencoder), seed: seed)
    var f = models.pipeline.scaleFactor
    if context.mutated("sd-constant") { f = 0.18215 }

    let n = context.parameters.integer("samples")
    let test = try FashionMNIST.load(split: .test, limit: n)
    let codes = LatentCodes(encoding: test, with: models.pipeline.autoencoder)
    var stream = context.randomStream
    var moments = MomentAccumulator()
    for k in 0..<codes.mean.count {
        let z = Double(codes.mean[k]) + Foundation.exp(0.5 * Double(codes.logVariance[k])) * stream.normal()
        moments.add(Double(f) * z)
    }
    let variance = moments.varianceEstimate.mean
    return [
        .exact("f stored with the U-Net vs recomputed from the autoencoder (64 images, Float32 encoder)", closedForm: Double(f), exact: Double(recomputed), relativeTolerance: 1e-4),
        .holds("variance of f·z over \(n) test images × 256 numbers (f = \(String(format: "%.4f", f)))", value: variance,
               rule: "within 10 % of 1", pass: abs(variance - 1) <= 0.1),
    ]
}
