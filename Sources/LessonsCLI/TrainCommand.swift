import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import Neural
import ToyDiffusion

extension ToyDataset: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

/// Set by SIGINT; the training loop checks it between steps (an atomic, so the load is
/// never hoisted out of the loop).
private let interruptRequested = Atomic<Int>(0)

extension LessonsCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the toy 2-D diffusion model (an MLP predicting ε) and write a safetensors checkpoint.",
            discussion: """
                Progress (step, loss, steps/s, ETA) goes to stderr. The checkpoint is written \
                atomically every --checkpoint-every steps and at the end; Ctrl-C writes one at the \
                current step and says how to resume. A NaN loss stops training and keeps the last \
                good checkpoint. --resume continues from --out exactly as if never interrupted.
                Exit status: 0 done, 4 a checkpoint cannot be read or written, 5 the loss became NaN, \
                130 interrupted (checkpoint written), 64 usage error.
                """)

        @Argument(help: "The data: \(ToyDataset.allCases.map(\.rawValue).joined(separator: ", ")).")
        var dataset: ToyDataset

        @Option(help: "Total optimizer steps to reach (1…10000000).")
        var steps = 20_000

        @Option(help: "The seed of the data, the initial weights and every batch (0…2^64−1).")
        var seed: UInt64 = 0

        @Option(help: "The checkpoint file (.safetensors) to write, and to read with --resume.")
        var out = "checkpoints/swissroll.safetensors"

        @Flag(help: "Continue the run saved in --out up to --steps.")
        var resume = false

        @Option(name: .customLong("lr"), help: "The (peak) learning rate of Adam, in (0, 1].")
        var learningRate: Float = 1e-3

        @Option(name: .customLong("lr-schedule"), help: "The learning rate over the run: constant, or cosine (decaying from --lr to 0 at --steps).")
        var learningRateSchedule: LearningRateSchedule = .constant

        @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints (1…10000000).")
        var checkpointEvery = 2000

        func validate() throws {
            guard (1...10_000_000).contains(steps) else { throw ValidationError("--steps must be between 1 and 10000000 (got \(steps))") }
            guard (1...10_000_000).contains(checkpointEvery) else {
                throw ValidationError("--checkpoint-every must be between 1 and 10000000 (got \(checkpointEvery))")
            }
            guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else {
                throw ValidationError("--lr must be a number in (0, 1] (got \(learningRate))")
            }
            guard out.hasSuffix(".safetensors"), out.count > ".safetensors".count else {
                throw ValidationError("--out must name a .safetensors file (got '\(out)')")
            }
        }

        func run() throws {
            let url = URL(fileURLWithPath: out)
            let trainer: ToyTrainer
            if resume {
                trainer = try Self.load(url, dataset: dataset)
                if trainer.step >= steps {
                    print("\(out) is already at step \(trainer.step) (≥ --steps \(steps)); nothing to do.")
                    return
                }
                Terminal.note("resuming \(out) at step \(trainer.step) of \(steps)")
            } else {
                var configuration = ToyTrainingConfiguration()
                configuration.dataset = dataset
                configuration.seed = seed
                configuration.learningRateSchedule = learningRateSchedule
                configuration.learningRate = learningRate
                configuration.totalSteps = steps
                trainer = try ToyTrainer(configuration)
            }
            interruptRequested.store(0, ordering: .relaxed)
            signal(SIGINT) { _ in interruptRequested.store(1, ordering: .relaxed) }
            // A parent may start us with SIGINT blocked (Foundation's Process does); unblock it.
            var interrupt = sigset_t()
            sigemptyset(&interrupt)
            sigaddset(&interrupt, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
            defer { signal(SIGINT, SIG_DFL) }

            let progress = TrainingProgress(total: steps, start: trainer.step)
            var lastGoodStep = resume ? trainer.step : -1
            while trainer.step < steps {
                let loss = trainer.trainStep()
                guard loss.isFinite else {
                    progress.finish()
                    let kept = lastGoodStep >= 0 ? "the last good checkpoint (step \(lastGoodStep)) is kept in \(out)" : "no checkpoint was written"
                    Terminal.printError("the loss became \(loss) at step \(trainer.step): training diverged; \(kept)")
                    throw ExitCode(5)
                }
                progress.update(step: trainer.step, loss: loss)
                if trainer.step % checkpointEvery == 0 || trainer.step == steps || interruptRequested.load(ordering: .relaxed) != 0 {
                    try Self.save(trainer, to: url)
                    lastGoodStep = trainer.step
                }
                if interruptRequested.load(ordering: .relaxed) != 0 {
                    progress.finish()
                    Terminal.printError("interrupted at step \(trainer.step) of \(steps); \(out) holds that step. Resume with: lessons train \(dataset.rawValue) --resume --out \(out) --steps \(steps)")
                    throw ExitCode(130)
                }
            }
            progress.finish()
            let recent = trainer.losses.suffix(500)
            print(String(format: "trained %@ to step %d: mean loss of the last %d steps %.4f; checkpoint %@",
                         dataset.rawValue, trainer.step, recent.count, recent.reduce(0, +) / Float(max(recent.count, 1)), out))
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

        static func save(_ trainer: ToyTrainer, to url: URL) throws {
            do {
                try ToyCheckpoint.write(trainer, to: url)
            } catch {
                Terminal.printError("cannot write the checkpoint: \(error)")
                throw ExitCode(4)
            }
        }
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

    init(total: Int, start: Int) {
        self.total = total
        self.start = start
        nextLine = start + max((total - start) / 10, 1)
    }

    func update(step: Int, loss: Float) {
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - began) / 1e9
        let rate = Double(step - start) / max(elapsed, 1e-9)
        let eta = Double(total - step) / max(rate, 1e-9)
        let text = String(format: "step %d/%d  loss %.4f  %.0f steps/s  ETA %.0f s", step, total, loss, rate, eta)
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
