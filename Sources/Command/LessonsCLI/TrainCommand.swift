import ArgumentParser
import LatentDiffusion
import ToyDiffusion

extension ToyDataset: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension LatentModelKind: ExpressibleByArgument {}

extension LessonsCommand {
    /// `lessons train toy DATA` and `lessons train latent MODEL`; the spelling before the two
    /// groups (`lessons train swissroll`) still works, with a note.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model and write a safetensors checkpoint: a toy 2-D diffusion MLP, or the latent model's autoencoder, U-Net or classifier.",
            discussion: """
                lessons train toy swissroll|gaussians|moons trains the toy MLP for --steps. \
                lessons train latent autoencoder|unet|classifier trains a latent model for --epochs \
                over Fashion-MNIST, in this order: autoencoder, then unet (it learns on the latents of \
                the autoencoder given by --autoencoder), and classifier (for evaluation).
                Progress (step, loss, rate, ETA) goes to stderr. The checkpoint --out holds the whole \
                training state; it is written atomically every --checkpoint-every steps and at the end; \
                Ctrl-C writes one at the current step and says how to resume. A NaN loss stops training \
                and keeps the last good checkpoint. --resume continues from --out exactly as if never \
                interrupted.
                Exit status: 0 done, 4 a checkpoint or data file cannot be read or written, 5 the loss \
                became NaN, 130 interrupted (checkpoint written), 64 usage error.
                """,
            subcommands: [Toy.self, Latent.self, Unsorted.self],
            defaultSubcommand: Unsorted.self)

        /// `lessons train swissroll …`, the spelling from before `toy` and `latent`: runs the
        /// same training, after a note with the new spelling.
        struct Unsorted: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "unsorted", abstract: "The spelling before `toy` and `latent`: lessons train swissroll|…|classifier [options].",
                shouldDisplay: false)

            @Argument(help: "A toy data set or a latent model.")
            var target: String

            @Argument(parsing: .allUnrecognized, help: "The options of `train toy` or `train latent`.")
            var options: [String] = []

            func run() throws {
                if ToyDataset(rawValue: target) != nil {
                    Terminal.note("`lessons train \(target)` is now `lessons train toy \(target)`; running that")
                    let command = try Toy.parse([target] + options)
                    try command.run()
                } else if LatentModelKind(rawValue: target) != nil {
                    Terminal.note("`lessons train \(target)` is now `lessons train latent \(target)`; running that")
                    let command = try Latent.parse([target] + options)
                    try command.run()
                } else {
                    let toy = ToyDataset.allCases.map(\.rawValue).joined(separator: "|")
                    let latent = LatentModelKind.allCases.map(\.rawValue).joined(separator: "|")
                    throw ValidationError("nothing to train called '\(target)': use lessons train toy \(toy) or lessons train latent \(latent)")
                }
            }
        }
    }
}

/// The options every training run has: its seed, its checkpoint, resuming, the learning
/// rate and how often to write the checkpoint.
struct TrainingRunOptions: ParsableArguments {
    @Option(help: "The seed of the data, the initial weights and every batch (0…2^64−1).", transform: seedArgument)
    var seed: UInt64 = 0

    @Option(help: "The checkpoint file (.safetensors) to write, and to read with --resume (default checkpoints/TARGET.safetensors).")
    var out: String?

    @Flag(help: "Continue the run saved in --out up to --steps (toy) or --epochs (latent).")
    var resume = false

    @Option(name: .customLong("lr"), help: "The (peak) learning rate of Adam, in (0, 1] (default 1e-3). Latent models: with --resume, the rate of the remaining steps (e.g. a lower one to finish a run).")
    var learningRate: Float?

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints (1…10000000; default 2000 toy, 500 latent).")
    var checkpointEvery: Int?

    func validate() throws {
        if let checkpointEvery, !(1...10_000_000).contains(checkpointEvery) {
            throw ValidationError("--checkpoint-every must be between 1 and 10000000 (got \(checkpointEvery))")
        }
        if let learningRate, !(learningRate.isFinite && learningRate > 0 && learningRate <= 1) {
            throw ValidationError("--lr must be a number in (0, 1] (got \(learningRate))")
        }
        if let out { try Self.requireSafetensors("--out", out) }
    }

    /// --out, or checkpoints/TARGET.safetensors.
    func outPath(target: String) -> String { out ?? "checkpoints/\(target).safetensors" }

    static func requireSafetensors(_ name: String, _ path: String) throws {
        guard path.hasSuffix(".safetensors"), path.count > ".safetensors".count else {
            throw ValidationError("\(name) must name a .safetensors file (got '\(path)')")
        }
    }
}
