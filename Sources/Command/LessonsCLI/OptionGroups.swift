import ArgumentParser
import ForwardProcess
import Posterior
import Sampling
import ScoreODE

/// `--sampler`, `--steps`, `--spacing`, `--eta`: how `sample`, `generate` and `eval latent`
/// run the reverse process. The default sampler is the command's own (ddpm for the toy
/// model's `sample`, whose figures are DDPM's; ddim for the latent model).
struct SamplerOptions: ParsableArguments {
    @Option(help: ArgumentHelp(stringLiteral: SamplerChoice.help + " Default: ddpm for sample, ddim for generate and eval latent."))
    var sampler: SamplerChoice?

    @Option(help: "Every sampler but ddpm: the number of steps K (1…T, the model's training steps); heun makes 2K − 1 network evaluations, the others K.")
    var steps = 50

    @Option(help: ArgumentHelp(stringLiteral: SamplerChoice.spacingHelp))
    var spacing: TimestepSpacing = .trailing

    @Option(help: "ddim: η (0 deterministic … 1 DDPM-like noise), 0…1.")
    var eta = 0.0

    func validate() throws {
        guard (1...100_000).contains(steps) else { throw ValidationError("--steps must be between 1 and the model's T (got \(steps))") }
        guard eta.isFinite, (0...1).contains(eta) else { throw ValidationError("--eta must be a number in 0…1 (got \(eta))") }
    }

    /// The sampler chosen, or the command's default.
    func choice(default fallback: SamplerChoice) -> SamplerChoice { sampler ?? fallback }

    /// The run these options describe, for a model trained with `schedule`'s T steps
    /// (`--steps` beyond T is a usage error).
    func kind(default fallback: SamplerChoice, variance: ReverseVariance, schedule: NoiseSchedule) throws -> SamplerKind {
        let choice = choice(default: fallback)
        if choice != .ddpm, steps > schedule.steps {
            throw ValidationError("--steps \(steps) is more than the model's T = \(schedule.steps)")
        }
        return choice.kind(steps: steps, eta: eta, variance: variance, spacing: spacing)
    }
}

/// `--threads`: the threads of the network's matrix products, im2col and attention.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for the network's matrix products, im2col and attention (1…64; default: 1 for the toy model's sample, 2 for the latent model).")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be between 1 and 64 (got \(threads))") }
    }

    /// The threads asked for, or the command's default.
    func count(default fallback: Int) -> Int { threads ?? fallback }
}

/// `--unet`, `--autoencoder`: the latent model's weights, by default the committed ones.
struct LatentModelFiles: ParsableArguments {
    @Option(help: "The U-Net weights (default Models/unet.safetensors).")
    var unet: String?

    @Option(help: "The autoencoder weights (default Models/autoencoder.safetensors).")
    var autoencoder: String?

    @Option(help: "A model folder in diffusers' layout instead of the two files (lessons export-model, scripts/train-diffusers.py).")
    var model: String?

    func validate() throws {
        guard model == nil || (unet == nil && autoencoder == nil) else {
            throw ValidationError("--model is a whole model folder; give it or --unet/--autoencoder, not both")
        }
    }
}
