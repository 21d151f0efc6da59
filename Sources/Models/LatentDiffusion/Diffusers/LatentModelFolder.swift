import ForwardProcess
import Foundation
import Neural
import Stochastic

/// The latent model as a folder in diffusers' pipeline layout, one subfolder per part:
///
/// - `unet/`: `config.json` + `diffusion_pytorch_model.safetensors`, a diffusers
///   `UNet2DConditionModel` (the project's U-Net converted: `DiffusersUNet.converting`);
/// - `scheduler/scheduler_config.json`: a diffusers `DDIMScheduler` with the model's β schedule
///   and the project's DDIM conventions (trailing timesteps, ᾱ = 1 after the last step);
/// - `text_encoder/`: `config.json` (`ProjectTextEncoder`: vocabulary, tokens, width, heads)
///   + `model.safetensors` (token and position tables, a diffusers BasicTransformerBlock with
///   attention biases, the final LayerNorm);
/// - `vae/`: `config.json` + `diffusion_pytorch_model.safetensors`, a diffusers `AutoencoderKL`
///   (the project's autoencoder is one), its `scaling_factor` the U-Net's scale factor f.
///
/// diffusers reads `unet/`, `scheduler/` and `vae/` as they are; the text encoder is small
/// enough to rebuild from diffusers' blocks (python/diffusers_parity/project_parts.py).
public enum LatentModelFolder {
    public static let unet = "unet", scheduler = "scheduler", textEncoder = "text_encoder", autoencoder = "vae"

    /// Writes `pipeline` (the project's U-Net) into the existing empty folder `folder`.
    public static func write(_ pipeline: LatentPipeline, to folder: URL) throws {
        guard let unet = pipeline.unet else { throw DiffusersModelError("only the project's own U-Net converts to a model folder") }
        let converted = try DiffusersUNet.converting(unet)
        let manager = FileManager.default
        for part in [Self.unet, scheduler, textEncoder, autoencoder] {
            try manager.createDirectory(at: folder.appendingPathComponent(part), withIntermediateDirectories: true)
        }
        try converted.config.json(sampleSize: LatentCodes.shape[1]).write(to: folder.appendingPathComponent("\(Self.unet)/config.json"))
        try SafetensorsFile(tensors: DiffusersWeights.tensors(of: converted.parameters))
            .write(to: folder.appendingPathComponent("\(Self.unet)/diffusion_pytorch_model.safetensors"), checksums: false)
        try schedulerConfig(pipeline.schedule).write(to: folder.appendingPathComponent("\(scheduler)/scheduler_config.json"))

        let encoder = diffusersTextEncoder(channels: pipeline.encoder.channels, heads: pipeline.encoder.block.selfAttention.heads)
        for (from, to) in zip(pipeline.encoder.parameters, encoder.parameters) { to.value.copy(from: from.value) }
        try json(["_class_name": "ProjectTextEncoder", "vocabulary": Prompt.vocabulary, "max_position_embeddings": TextEncoder.length,
                  "hidden_size": encoder.channels, "num_attention_heads": encoder.block.selfAttention.heads])
            .write(to: folder.appendingPathComponent("\(textEncoder)/config.json"))
        try SafetensorsFile(tensors: DiffusersWeights.tensors(of: encoder.parameters, untransposed: Set(encoder.tables.map(\.name))))
            .write(to: folder.appendingPathComponent("\(textEncoder)/model.safetensors"), checksums: false)

        try pipeline.autoencoder.config.json(scalingFactor: shortest(pipeline.scaleFactor), sampleSize: FashionMNIST.side)
            .write(to: folder.appendingPathComponent("\(autoencoder)/config.json"))
        try SafetensorsFile(tensors: DiffusersWeights.tensors(of: pipeline.autoencoder.parameters))
            .write(to: folder.appendingPathComponent("\(autoencoder)/diffusion_pytorch_model.safetensors"), checksums: false)
    }

    /// The pipeline of a model folder (`write`'s layout, or scripts/train-diffusers.py's).
    public static func load(_ folder: URL) throws -> LatentPipeline {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DiffusersModelError("\(folder.path) is not a folder; a model folder holds unet/, scheduler/, text_encoder/ and vae/ (lessons export-model --format diffusers writes one)")
        }
        let network = try DiffusersUNet.load(folder: folder.appendingPathComponent(Self.unet))
        let schedule = try readSchedule(folder.appendingPathComponent("\(scheduler)/scheduler_config.json"))

        var text = try reader(folder.appendingPathComponent("\(textEncoder)/config.json"))
        try text.expectClass("ProjectTextEncoder")
        let vocabulary = try text.strings("vocabulary", default: [])
        guard vocabulary == Prompt.vocabulary else {
            throw DiffusersModelError("\(text.source): the vocabulary differs from the prompts' (\(Prompt.vocabulary.joined(separator: " ")))")
        }
        let length = try text.integer("max_position_embeddings", default: nil)
        guard length == TextEncoder.length else { throw DiffusersModelError("\(text.source): max_position_embeddings is \(length); the prompts have \(TextEncoder.length) tokens") }
        let channels = try text.integer("hidden_size", default: nil), heads = try text.integer("num_attention_heads", default: nil)
        guard channels > 0, heads > 0, channels % heads == 0 else { throw DiffusersModelError("\(text.source): hidden_size \(channels) must be a positive multiple of num_attention_heads \(heads)") }
        // The parts must fit together; said before any of their weights is read.
        guard network.config.crossAttentionDim.allSatisfy({ $0 == channels }) else {
            throw DiffusersModelError("\(text.source): hidden_size is \(channels), but the U-Net's cross_attention_dim is \(network.config.crossAttentionDim[0]): the U-Net attends to the text encoder's states")
        }
        try text.finish(model: "ProjectTextEncoder")
        let encoder = diffusersTextEncoder(channels: channels, heads: heads)
        try DiffusersWeights.load(folder.appendingPathComponent("\(textEncoder)/model.safetensors"), into: encoder.parameters,
                                  untransposed: Set(encoder.tables.map(\.name)))

        let vae = try Autoencoder.load(folder: folder.appendingPathComponent(autoencoder)) { config, source throws(DiffusersModelError) in
            guard config.scalingFactor.isFinite, config.scalingFactor > 0 else { throw DiffusersModelError("\(source): scaling_factor must be a positive number") }
            guard config.inChannels == 1, config.outChannels == 1, config.blockOutChannels.count == 3 else {
                throw DiffusersModelError("\(source): the latent model's images are 1 × \(FashionMNIST.side) × \(FashionMNIST.side) and its latents \(LatentCodes.shape.map(String.init).joined(separator: " × ")): in_channels and out_channels must be 1 and block_out_channels three levels (found \(config.inChannels), \(config.outChannels) and \(config.blockOutChannels))")
            }
            let latent = config.latentChannels
            guard latent == Autoencoder.latentChannels, network.config.inChannels == latent, network.config.outChannels == latent else {
                throw DiffusersModelError("\(source): latent_channels is \(latent); the latent model's latents have \(Autoencoder.latentChannels) channels, and the U-Net reads \(network.config.inChannels) and writes \(network.config.outChannels)")
            }
        }
        return LatentPipeline(autoencoder: vae, network: network, encoder: encoder, scaleFactor: Float(vae.config.scalingFactor), schedule: schedule)
    }

    /// The text encoder with the folder's tensor names.
    static func diffusersTextEncoder(channels: Int, heads: Int) -> TextEncoder {
        var stream = RandomStream(seed: 0)
        return TextEncoder(channels: channels, heads: heads, naming: .diffusers, stream: &stream)
    }

    /// diffusers' DDIMScheduler config for `schedule`, which must be the latent model's
    /// scaled-linear one (`LatentPipeline.betaRange`).
    static func schedulerConfig(_ schedule: NoiseSchedule) throws -> Data {
        let range = LatentPipeline.betaRange
        guard schedule == (try NoiseSchedule.scaledLinear(steps: schedule.steps, start: range.start, end: range.end)) else {
            throw DiffusersModelError("the \(schedule.name) schedule is not the latent model's scaled-linear one")
        }
        return try json(["_class_name": "DDIMScheduler", "num_train_timesteps": schedule.steps, "beta_schedule": "scaled_linear",
                         "beta_start": range.start, "beta_end": range.end, "prediction_type": "epsilon", "clip_sample": false,
                         "set_alpha_to_one": true, "steps_offset": 1, "timestep_spacing": "trailing"])
    }

    /// The β schedule of a scheduler config. The keys that choose how to sample (spacing,
    /// clipping, the last ᾱ, the solver's class) are the sampler's business, chosen here by
    /// `--sampler`; the keys that change the schedule or the prediction must be what this
    /// project implements.
    static func readSchedule(_ url: URL) throws -> NoiseSchedule {
        var r = try reader(url)
        for key in ["_class_name", "_diffusers_version", "clip_sample", "clip_sample_range", "set_alpha_to_one", "steps_offset", "timestep_spacing",
                    "thresholding", "dynamic_thresholding_ratio", "sample_max_value", "variance_type", "use_karras_sigmas", "interpolation_type",
                    "timestep_type", "final_sigmas_type", "sigma_min", "sigma_max", "use_exponential_sigmas", "use_beta_sigmas", "skip_prk_steps",
                    "solver_order", "algorithm_type", "solver_type", "lower_order_final", "euler_at_final", "lambda_min_clipped", "use_lu_lambdas"] {
            r.ignore(key)
        }
        let steps = try r.integer("num_train_timesteps", default: 1000)
        let start = try r.number("beta_start", default: 0.0001), end = try r.number("beta_end", default: 0.02)
        let kind = try r.string("beta_schedule", default: "linear")
        try r.expect("prediction_type", equals: .string("epsilon"), what: "\"epsilon\" (the project's samplers read ε)")
        try r.expect("trained_betas", equals: .null, what: "null")
        try r.expect("rescale_betas_zero_snr", equals: .bool(false), what: "false")
        try r.finish(model: "DDIMScheduler")
        switch kind {
        case "linear": return try NoiseSchedule.linear(steps: steps, start: start, end: end)
        case "scaled_linear": return try NoiseSchedule.scaledLinear(steps: steps, start: start, end: end)
        default: throw r.unsupported("beta_schedule", value: kind, supported: ["linear", "scaled_linear"])
        }
    }

    /// The shortest decimal that reads back as `value` (0.7, not 0.699999988079071).
    private static func shortest(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    static func reader(_ url: URL) throws(DiffusersModelError) -> ConfigReader {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DiffusersModelError("cannot read \(url.path): \(error.localizedDescription)") }
        return try ConfigReader.object(data, source: url.path)
    }

    static func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
