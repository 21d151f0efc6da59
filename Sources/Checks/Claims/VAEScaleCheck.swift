import CheckCore
import CheckKit
import Foundation
import Gaussian
import Stochastic

/// 002 (VAE section): the latents are rescaled by 1/σ, σ the standard deviation of a first
/// batch of latents, so the U-Net sees latents of unit variance. Stable Diffusion 1.x/2.x use
/// 0.18215, SDXL (a retrained VAE) 0.13025: facts stated here, not derived. The 1/σ rule is
/// checked on synthetic latents: σ̂ from one batch, then a fresh batch scaled by 1/σ̂.
let vaeScaleCheck = CheckDefinition(
    id: "notes.vae-scale",
    title: "The VAE scale factor is 1/σ of the latents: a fresh batch scaled by it has variance 1",
    parameters: [
        ParameterSpec("sigma", .real(0.01...100), default: .real(1 / 0.18215), help: "σ of the synthetic latents"),
        ParameterSpec("mean", .real(-10...10), default: .real(0), help: "mean of the synthetic latents"),
        .samples(default: 1_000_000),
    ],
    mutations: [Mutation("variance-not-sd", "scale by 1/σ̂² (the variance) instead of 1/σ̂")],
    verdict: .true,
    sources: [Note.n002.at("702–704"), Note.n002.at("894")]
) { context in
    let latents = Gaussian(mean: context.parameters.real("mean"), variance: pow(context.parameters.real("sigma"), 2))
    var stream = context.randomStream
    let first = MonteCarlo.moments(samples: context.samples, stream: &stream) { latents.sample(&$0) }
    let variance = first.varianceEstimate
    let factor = context.mutated("variance-not-sd") ? 1 / variance.mean : 1 / variance.mean.squareRoot()
    let second = MonteCarlo.moments(samples: context.samples, stream: &stream) { factor * latents.sample(&$0) }
    let scaled = second.varianceEstimate
    // Var(factor²·s₂²) carries the error of both batches: add their relative variances.
    let relative = (pow(variance.standardError / variance.mean, 2) + pow(scaled.standardError / scaled.mean, 2)).squareRoot()
    return [
        .monteCarlo("first batch: variance of the latents = σ²", closedForm: latents.variance, estimate: variance),
        .monteCarlo("fresh batch × 1/σ̂: variance = 1", closedForm: 1, mean: scaled.mean, stderr: relative * scaled.mean, n: scaled.count),
        .holds("Stable Diffusion 1.x/2.x factor (latent σ ≈ 5.49)", value: 0.18215, rule: "stated", pass: true),
        .holds("SDXL factor (latent σ ≈ 7.68)", value: 0.13025, rule: "stated", pass: true),
    ]
}
