import ArgumentParser
import Foundation
import Neural
import ToyDiffusion

extension LessonsCommand.Train {
    /// `lessons train toy swissroll|gaussians|moons`: the ε-MLP on 2-D data, for --steps.
    struct Toy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the toy 2-D diffusion MLP on swissroll, gaussians or moons for --steps.")

        @Argument(help: "The data: \(ToyDataset.allCases.map(\.rawValue).joined(separator: ", ")).")
        var dataset: ToyDataset

        @Option(help: "Total optimizer steps to reach (1…10000000; default 20000).")
        var steps: Int?

        @OptionGroup(title: "Run") var training: TrainingRunOptions

        @Option(name: .customLong("lr-schedule"), help: "The learning rate over the run: constant, or cosine (decaying from --lr to 0 at --steps).")
        var learningRateSchedule: LearningRateSchedule = .constant

        @Option(name: .customLong("t-power"), help: "Draw each example's step as t = 1 + ⌊T·u^P⌋, u ~ U[0, 1), in [1, 10]: 1 is DDPM's uniform t (default), 2 draws more small t, P(t ≤ k) = √(k/T).")
        var timestepPower: Double?

        @Option(name: .customLong("clip-norm"), help: "Before each Adam step, scale the gradients down to this global L2 norm when they exceed it (> 0; default: no clipping).")
        var clipNorm: Double?

        func validate() throws {
            if let steps, !(1...10_000_000).contains(steps) { throw ValidationError("--steps must be between 1 and 10000000 (got \(steps))") }
            if let timestepPower, !(timestepPower >= 1 && timestepPower <= 10) {
                throw ValidationError("--t-power must be a number in [1, 10] (got \(timestepPower))")
            }
            if let clipNorm, !(clipNorm.isFinite && clipNorm > 0) {
                throw ValidationError("--clip-norm must be a number > 0 (got \(clipNorm))")
            }
        }

        func run() throws {
            let steps = self.steps ?? 20_000
            let outPath = training.outPath(target: dataset.rawValue)
            let url = URL(fileURLWithPath: outPath)
            try OutputLocation.requireWritable(file: url, option: "--out", exitCode: 4)
            let trainer: ToyTrainer
            if training.resume {
                trainer = try Self.load(url, dataset: dataset)
                if trainer.step >= steps {
                    print("\(outPath) is already at step \(trainer.step) (≥ --steps \(steps)); nothing to do.")
                    return
                }
                Terminal.note("resuming \(outPath) at step \(trainer.step) of \(steps)")
                if training.learningRate != nil || learningRateSchedule != .constant || timestepPower != nil || clipNorm != nil {
                    Terminal.note("--lr, --lr-schedule, --t-power and --clip-norm are ignored with --resume: the run keeps those of \(outPath)")
                }
            } else {
                var configuration = ToyTrainingConfiguration()
                configuration.dataset = dataset
                configuration.seed = training.seed
                configuration.learningRateSchedule = learningRateSchedule
                configuration.learningRate = training.learningRate ?? 1e-3
                configuration.totalSteps = steps
                configuration.timestepPower = timestepPower ?? 1
                configuration.clipNorm = clipNorm
                trainer = try ToyTrainer(configuration)
            }
            let progress = TrainingProgress(total: steps, start: trainer.step)
            try TrainingLoop(out: outPath, resumed: training.resume, checkpointEvery: training.checkpointEvery ?? 2000,
                             resumeCommand: "lessons train toy \(dataset.rawValue) --resume --out \(outPath) --steps \(steps)")
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
