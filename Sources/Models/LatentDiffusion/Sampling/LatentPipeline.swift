import ForwardProcess
import Foundation
import Neural
import Sampling
import Stochastic

/// Text → image with the three trained parts, as Stable Diffusion does it: prompts → context
/// tokens (text encoder); z_T ~ N(0, I) in latent space; DDIM or DDPM steps with the guided
/// U-Net (the project's own layout or diffusers', `LatentNoisePredictor`) (`GuidedDenoiser`, coefficients from the Posterior module via `DiffusionSampler`);
/// x = D(z₀ / f) with the autoencoder's decoder and the scale factor f.
public final class LatentPipeline {
    public let autoencoder: Autoencoder
    /// The U-Net ε_θ: the project's `UNet` or a `DiffusersUNet`.
    public let network: any LatentNoisePredictor
    public let encoder: TextEncoder
    public let scaleFactor: Float
    public let schedule: NoiseSchedule

    public init(autoencoder: Autoencoder, network: any LatentNoisePredictor, encoder: TextEncoder, scaleFactor: Float, schedule: NoiseSchedule) {
        self.autoencoder = autoencoder
        self.network = network
        self.encoder = encoder
        self.scaleFactor = scaleFactor
        self.schedule = schedule
    }

    /// Stable Diffusion's β range, the ends of the scaled-linear schedule.
    public static let betaRange = (start: 0.00085, end: 0.012)

    /// The latent diffusion schedule: Stable Diffusion's scaled-linear β over `betaRange`, T = 1000.
    public static func defaultSchedule() -> NoiseSchedule {
        // Constant, valid arguments: this cannot throw.
        (try? NoiseSchedule.scaledLinear(start: betaRange.start, end: betaRange.end))!
    }

    /// The project's own U-Net, when that is the network (nil for a diffusers one).
    public var unet: UNet? { network as? UNet }

    /// Loads the autoencoder and the U-Net (with its text encoder) from weight files.
    public static func load(autoencoder autoencoderURL: URL, unet unetURL: URL) throws -> LatentPipeline {
        try load(autoencoder: SafetensorsFile(contentsOf: autoencoderURL), unet: SafetensorsFile(contentsOf: unetURL))
    }

    /// The same from files already read.
    public static func load(autoencoder autoencoderFile: SafetensorsFile, unet unetFile: SafetensorsFile) throws -> LatentPipeline {
        let autoencoder = Autoencoder(seed: 0)
        try LatentCheckpoint.loadWeights(autoencoderFile, into: autoencoder.parameters, kind: .autoencoder)
        try LatentCheckpoint.validate(unetFile, kind: .unet)
        guard let text = unetFile.metadata["scaleFactor"], let scaleFactor = Float(text), scaleFactor.isFinite, scaleFactor > 0 else {
            throw LatentCheckpointError("\(unetFile.source): the metadata \"scaleFactor\" is missing or not a positive number")
        }
        var stream = RandomStream(seed: 0, stream: 0)
        let unet = UNet(.fashion, stream: &stream)
        let encoder = TextEncoder(stream: &stream)
        try LatentCheckpoint.loadWeights(unetFile, into: unet.parameters + encoder.parameters, kind: .unet)
        return LatentPipeline(autoencoder: autoencoder, network: unet, encoder: encoder, scaleFactor: scaleFactor, schedule: defaultSchedule())
    }

    /// Images [N, 1, 32, 32] in [−1, 1] (before clamping) for `prompts`, one per prompt,
    /// from z_T drawn with `seed` or given as `initialNoise` (N × 4 × 8 × 8 normals).
    public func generate(
        prompts: [Prompt], guidance: Double, sampler: SamplerKind, seed: UInt64, generator: RandomGenerator = .xoshiro,
        initialNoise: [Float]? = nil, progress: ((Int, Int) -> Void)? = nil
    ) throws -> Tensor {
        let denoiser = GuidedDenoiser(model: network, encoder: encoder, prompts: prompts, guidance: guidance)
        let latents = try DiffusionSampler(schedule: schedule, denoiser: denoiser)
            .sample(count: prompts.count, kind: sampler, seed: seed, generator: generator, initialNoise: initialNoise, progress: progress).points
        return decode(latents, count: prompts.count)
    }

    /// x = D(z / f) for `count` scaled latents.
    public func decode(_ latents: [Float], count: Int, batchSize: Int = 100) -> Tensor {
        let d = LatentCodes.dimensions, pixels = FashionMNIST.side * FashionMNIST.side
        let images = Tensor(zeros: [count, 1, FashionMNIST.side, FashionMNIST.side])
        let tape = Tape()
        tape.isRecording = false
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            let z = tape.input(shape: [n] + LatentCodes.shape) { target in
                for k in 0..<(n * d) { target[k] = latents[start * d + k] / scaleFactor }
            }
            (images.pointer + start * pixels).update(from: tape.value(autoencoder.decode(z, on: tape)).pointer, count: n * pixels)
            tape.reset()
            start += n
        }
        return images
    }
}
