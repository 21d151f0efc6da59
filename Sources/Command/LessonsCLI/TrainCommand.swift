import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import Neural
import LatentDiffusion
import ToyDiffusion

extension ToyDataset: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

/// Set by SIGINT; the training loop checks it between steps (an atomic, so the load is
/// never hoisted out of the loop).
private let interruptRequested = Atomic<Int>(0)

/// What `lessons train` trains: a toy 2-D data set's MLP, or one of the latent-diffusion models.
enum TrainTarget: String, CaseIterable, ExpressibleByArgument {
    case swissroll, gaussians, moons, autoencoder, unet, classifier

    var toyDataset: ToyDataset? { ToyDataset(rawValue: rawValue) }
    var latentModel: LatentModelKind? { LatentModelKind(rawValue: rawValue) }
}

extension LessonsCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model and write a safetensors checkpoint: a toy 2-D diffusion MLP, or the latent model's autoencoder, U-Net or classifier.",
            discussion: """
                Toy data (swissroll, gaussians, moons) train for --steps. The latent models train for \
                --epochs over Fashion-MNIST, in this order: autoencoder, then unet (it learns on the \
                latents of the autoencoder given by --autoencoder), and classifier (for evaluation).
                Progress (step, loss, rate, ETA) goes to stderr. The checkpoint --out holds the whole \
                training state; it is written atomically every --checkpoint-every steps and at the end; \
                Ctrl-C writes one at the current step and says how to resume. A NaN loss stops training \
                and keeps the last good checkpoint. --resume continues from --out exactly as if never \
                interrupted. --weights also writes the small sampling-weights file (EMA, no optimizer \
                state) that the project commits under Models/.
                Exit status: 0 done, 4 a checkpoint or data file cannot be read or written, 5 the loss \
                became NaN, 130 interrupted (checkpoint written), 64 usage error.
                """)

        @Argument(help: "What to train: \(TrainTarget.allCases.map(\.rawValue).joined(separator: ", ")).")
        var target: TrainTarget

        @Option(help: "Toy data: total optimizer steps to reach (1…10000000; default 20000).")
        var steps: Int?

        @Option(help: "Latent models: passes over the training set to reach (1…1000; defaults: autoencoder 2, unet 10, classifier 3).")
        var epochs: Int?

        @Option(help: "Latent models: use only the first N training images (1…60000; default all).")
        var examples: Int?

        @Option(help: "The seed of the data, the initial weights and every batch (0…2^64−1).")
        var seed: UInt64 = 0

        @Option(help: "The checkpoint file (.safetensors) to write, and to read with --resume (default checkpoints/TARGET.safetensors).")
        var out: String?

        @Option(help: "Latent models: also write the sampling weights (no optimizer state) to this .safetensors file.")
        var weights: String?

        @Option(help: "The unet's autoencoder weights, whose latents it learns (default Models/autoencoder.safetensors).")
        var autoencoder: String?

        @Flag(help: "Continue the run saved in --out up to --steps (toy) or --epochs (latent).")
        var resume = false

        @Option(name: .customLong("lr"), help: "The (peak) learning rate of Adam, in (0, 1] (default 1e-3). Latent models: with --resume, the rate of the remaining steps (e.g. a lower one to finish a run).")
        var learningRate: Float?

        @Option(name: .customLong("lr-schedule"), help: "Toy data: the learning rate over the run: constant, or cosine (decaying from --lr to 0 at --steps).")
        var learningRateSchedule: LearningRateSchedule = .constant

        @Option(name: .customLong("t-power"), help: "Toy data: draw each example's step as t = 1 + ⌊T·u^P⌋, u ~ U[0, 1), in [1, 10]: 1 is DDPM's uniform t (default), 2 draws more small t, P(t ≤ k) = √(k/T).")
        var timestepPower: Double?

        @Option(name: .customLong("clip-norm"), help: "Toy data: before each Adam step, scale the gradients down to this global L2 norm when they exceed it (> 0; default: no clipping).")
        var clipNorm: Double?

        @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints (1…10000000; default 2000 toy, 500 latent).")
        var checkpointEvery: Int?

        @Option(help: "Latent models: threads for the matrix products, im2col and attention (1…64; default 2). A resumed run matches an uninterrupted one bit for bit at the same thread count.")
        var threads = 2

        var outPath: String { out ?? "checkpoints/\(target.rawValue).safetensors" }

        func validate() throws {
            if let steps, !(1...10_000_000).contains(steps) { throw ValidationError("--steps must be between 1 and 10000000 (got \(steps))") }
            if let epochs, !(1...1000).contains(epochs) { throw ValidationError("--epochs must be between 1 and 1000 (got \(epochs))") }
            if let examples, !(1...60_000).contains(examples) { throw ValidationError("--examples must be between 1 and 60000 (got \(examples))") }
            if let checkpointEvery, !(1...10_000_000).contains(checkpointEvery) {
                throw ValidationError("--checkpoint-every must be between 1 and 10000000 (got \(checkpointEvery))")
            }
            if let timestepPower, !(timestepPower >= 1 && timestepPower <= 10) {
                throw ValidationError("--t-power must be a number in [1, 10] (got \(timestepPower))")
            }
            if let clipNorm, !(clipNorm.isFinite && clipNorm > 0) {
                throw ValidationError("--clip-norm must be a number > 0 (got \(clipNorm))")
            }
            if let learningRate, !(learningRate.isFinite && learningRate > 0 && learningRate <= 1) {
                throw ValidationError("--lr must be a number in (0, 1] (got \(learningRate))")
            }
            guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64 (got \(threads))") }
            for (name, path) in [("--out", outPath), ("--weights", weights ?? "w.safetensors"), ("--autoencoder", autoencoder ?? "a.safetensors")] {
                guard path.hasSuffix(".safetensors"), path.count > ".safetensors".count else {
                    throw ValidationError("\(name) must name a .safetensors file (got '\(path)')")
                }
            }
            if target.toyDataset != nil {
                if epochs != nil || examples != nil || weights != nil {
                    throw ValidationError("--epochs, --examples and --weights are for the latent models (autoencoder, unet, classifier); toy data train for --steps")
                }
            } else {
                if steps != nil { throw ValidationError("--steps is for the toy data; the latent models train for --epochs") }
                if learningRateSchedule != .constant { throw ValidationError("--lr-schedule is for the toy data") }
                if timestepPower != nil { throw ValidationError("--t-power is for the toy data") }
                if clipNorm != nil { throw ValidationError("--clip-norm is for the toy data") }
            }
        }

        func run() throws {
            if let model = target.latentModel {
                try trainLatent(model)
            } else if let dataset = target.toyDataset {
                try trainToy(dataset)
            }
        }

        func trainToy(_ dataset: ToyDataset) throws {
            let steps = self.steps ?? 20_000
            let url = URL(fileURLWithPath: outPath)
            let trainer: ToyTrainer
            if resume {
                trainer = try Self.load(url, dataset: dataset)
                if trainer.step >= steps {
                    print("\(outPath) is already at step \(trainer.step) (≥ --steps \(steps)); nothing to do.")
                    return
                }
                Terminal.note("resuming \(outPath) at step \(trainer.step) of \(steps)")
                if learningRate != nil || learningRateSchedule != .constant || timestepPower != nil || clipNorm != nil {
                    Terminal.note("--lr, --lr-schedule, --t-power and --clip-norm are ignored with --resume: the run keeps those of \(outPath)")
                }
            } else {
                var configuration = ToyTrainingConfiguration()
                configuration.dataset = dataset
                configuration.seed = seed
                configuration.learningRateSchedule = learningRateSchedule
                configuration.learningRate = learningRate ?? 1e-3
                configuration.totalSteps = steps
                configuration.timestepPower = timestepPower ?? 1
                configuration.clipNorm = clipNorm
                trainer = try ToyTrainer(configuration)
            }
            let progress = TrainingProgress(total: steps, start: trainer.step)
            try TrainingLoop(out: outPath, resumed: resume, checkpointEvery: checkpointEvery ?? 2000,
                             resumeCommand: "lessons train \(dataset.rawValue) --resume --out \(outPath) --steps \(steps)")
                .run(step: { trainer.step }, total: steps, trainStep: { trainer.trainStep() }, progress: progress) {
                    try ToyCheckpoint.write(trainer, to: url)
                }
            let recent = trainer.losses.suffix(500)
            print(String(format: "trained %@ to step %d: mean loss of the last %d steps %.4f; checkpoint %@",
                         dataset.rawValue, trainer.step, recent.count, recent.reduce(0, +) / Float(max(recent.count, 1)), outPath))
        }

        static func load(_ url: URL, dataset: ToyDataset) throws -> ToyTrainer {
            do {
                let trainer = try ToyCheckpoint.resume(from: SafetensorsFile(contentsOf: url))
                guard trainer.configuration.dataset == dataset else {
                    throw CLIError.usage("\(url.path) was trained on \(trainer.configuration.dataset.rawValue), not \(dataset.rawValue)")
                }
                return trainer
            } catch let error as CLIError {
                throw ValidationError(error.description)
            } catch let error as SafetensorsError {
                if case .missingFile = error {
                    throw ValidationError("--resume: no checkpoint at \(url.path); run without --resume to start training")
                }
                Terminal.printError("cannot resume: \(error)")
                throw ExitCode(4)
            } catch {
                Terminal.printError("cannot resume: \(error)")
                throw ExitCode(4)
            }
        }
    }
}

/// The loop every training run shares: a step, progress, a checkpoint every
/// `checkpointEvery` steps and at the end, a stop with the last good checkpoint kept when the
/// loss is NaN (exit 5), and on Ctrl-C a checkpoint at the current step, the command that
/// resumes, and exit 130.
struct TrainingLoop {
    let out: String
    let resumed: Bool
    let checkpointEvery: Int
    let resumeCommand: String

    func run(step: () -> Int, total: Int, trainStep: () -> Float, progress: TrainingProgress, save: () throws -> Void) throws {
        interruptRequested.store(0, ordering: .relaxed)
        signal(SIGINT) { _ in interruptRequested.store(1, ordering: .relaxed) }
        // A parent may start us with SIGINT blocked (Foundation's Process does); unblock it.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
        defer { signal(SIGINT, SIG_DFL) }

        var lastGoodStep = resumed ? step() : -1
        while step() < total {
            let loss = trainStep()
            guard loss.isFinite else {
                progress.finish()
                let kept = lastGoodStep >= 0 ? "the last good checkpoint (step \(lastGoodStep)) is kept in \(out)" : "no checkpoint was written"
                Terminal.printError("the loss became \(loss) at step \(step()): training diverged; \(kept)")
                throw ExitCode(5)
            }
            progress.update(step: step(), loss: loss)
            let interrupted = interruptRequested.load(ordering: .relaxed) != 0
            if step() % checkpointEvery == 0 || step() == total || interrupted {
                do {
                    try save()
                } catch {
                    progress.finish()
                    Terminal.printError("cannot write the checkpoint: \(error)")
                    throw ExitCode(4)
                }
                lastGoodStep = step()
            }
            if interrupted {
                progress.finish()
                Terminal.printError("interrupted at step \(step()) of \(total); \(out) holds that step. Resume with: \(resumeCommand)")
                throw ExitCode(130)
            }
        }
        progress.finish()
    }
}

/// Progress of a training run on stderr: redrawn in place on a terminal, one line per
/// tenth of the run otherwise.
final class TrainingProgress {
    let total: Int, start: Int
    let terminal = Terminal.current
    let began = DispatchTime.now().uptimeNanoseconds
    var lastDraw: UInt64 = 0
    var nextLine: Int

    /// For epoch-based training: steps per epoch and examples per step (shown as epoch and images/s).
    let stepsPerEpoch: Int?, examplesPerStep: Int?

    init(total: Int, start: Int, stepsPerEpoch: Int? = nil, examplesPerStep: Int? = nil) {
        self.total = total
        self.start = start
        self.stepsPerEpoch = stepsPerEpoch
        self.examplesPerStep = examplesPerStep
        nextLine = start + max((total - start) / 10, 1)
    }

    func update(step: Int, loss: Float) {
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - began) / 1e9
        let rate = Double(step - start) / max(elapsed, 1e-9)
        let eta = Double(total - step) / max(rate, 1e-9)
        var text = String(format: "step %d/%d  loss %.4f  %.0f steps/s  ETA %.0f s", step, total, loss, rate, eta)
        if let stepsPerEpoch, let examplesPerStep {
            text = String(format: "epoch %d/%d  step %d/%d  loss %.4f  %.0f images/s  ETA %.0f s",
                          (step - 1) / stepsPerEpoch + 1, total / stepsPerEpoch, step, total, loss, rate * Double(examplesPerStep), eta)
        }
        if terminal.progressVisible {
            guard now - lastDraw > 200_000_000 || step == total else { return }
            lastDraw = now
            terminal.progress(text)
        } else if step >= nextLine || step == total {
            nextLine = step + max((total - start) / 10, 1)
            Terminal.note(text)
        }
    }

    func finish() { terminal.clearProgress() }
}
