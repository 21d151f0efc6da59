import ArgumentParser
import CheckCore
import Foundation
import LatentDiffusion
import Neural
import Notebook
import ProjectFolders
import Stochastic

extension LessonsCommand.Train {
    /// `lessons train latent autoencoder|unet|classifier`: epochs of Adam over Fashion-MNIST.
    struct Latent: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a latent-diffusion model on Fashion-MNIST for --epochs: the autoencoder, then the unet (on its latents), and the classifier.",
            discussion: """
                --weights also writes the small sampling-weights file (EMA, no optimizer state) that \
                the project commits under Models/. After training, the model's held-out figure (test \
                accuracy or test PSNR) is printed, on --test-images test images.
                """)

        @Argument(help: "The model: \(LatentModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kind: LatentModelKind

        @Option(help: "Passes over the training set to reach (1…1000; defaults: autoencoder 2, unet 10, classifier 3).")
        var epochs: Int?

        @Option(help: "Use only the first N training images (1…60000; default all).")
        var examples: Int?

        @OptionGroup(title: "Run") var training: TrainingRunOptions

        @Option(help: "Also write the sampling weights (no optimizer state) to this .safetensors file.")
        var weights: String?

        @Option(help: "The unet's autoencoder weights, whose latents it learns (default Models/autoencoder.safetensors).")
        var autoencoder: String?

        @Option(name: .customLong("test-images"), help: "The held-out figure after training uses the first N test images (1…10000; default all).")
        var testImages = FashionMNIST.Split.test.count

        @OptionGroup var threading: ThreadOptions

        func validate() throws {
            if let epochs, !(1...1000).contains(epochs) { throw ValidationError("--epochs must be between 1 and 1000 (got \(epochs))") }
            if let examples, !(1...60_000).contains(examples) { throw ValidationError("--examples must be between 1 and 60000 (got \(examples))") }
            guard (1...FashionMNIST.Split.test.count).contains(testImages) else {
                throw ValidationError("--test-images must be between 1 and \(FashionMNIST.Split.test.count) (got \(testImages))")
            }
            if let weights { try TrainingRunOptions.requireSafetensors("--weights", weights) }
            if let autoencoder { try TrainingRunOptions.requireSafetensors("--autoencoder", autoencoder) }
        }

        func run() throws {
            let threads = threading.count(default: 2)
            BLAS.threads = threads
            let outPath = training.outPath(target: kind.rawValue)
            let resume = training.resume
            let url = URL(fileURLWithPath: outPath)
            try OutputLocation.requireWritable(file: url, option: "--out", exitCode: 4)
            var configuration = LatentTrainingConfiguration.defaults(for: kind)
            var previous: SafetensorsFile?
            if resume {
                let file = try LatentFiles.readCheckpoint(url, resuming: true)
                configuration = try LatentFiles.configuration(of: file, kind: kind)
                previous = file
            } else {
                configuration.seed = training.seed
                if let examples { configuration.examples = examples }
            }
            if let epochs { configuration.epochs = epochs }
            if let learningRate = training.learningRate { configuration.learningRate = learningRate }

            let data = try LatentFiles.fashion(.train)
            let task: any LatentTrainingTask
            switch kind {
            case .classifier:
                task = ClassifierTask(model: Classifier(seed: configuration.seed), data: data)
            case .autoencoder:
                task = AutoencoderTask(model: Autoencoder(seed: configuration.seed), data: data)
            case .unet:
                let autoencoderModel = try LatentFiles.autoencoder(LatentFiles.url(autoencoder, kind: .autoencoder))
                let used = configuration.examples.map { min($0, data.count) } ?? data.count
                let terminal = Terminal.current
                let codes = LatentCodes(encoding: data, count: used, with: autoencoderModel) { done, total in
                    if terminal.progressVisible { terminal.progress("encoding the training images: \(done)/\(total)") }
                }
                terminal.clearProgress()
                let scale = UNetTask.scaleFactor(of: codes, seed: configuration.seed)
                Terminal.note(String(format: "encoded %d training images to latents 4×8×8; scale factor f = 1/std = %.5f", codes.count, scale))
                var stream = RandomStream(seed: configuration.seed, stream: 0x554E_4554)
                let unet = UNet(.fashion, stream: &stream)
                task = UNetTask(model: unet, conditioning: .text(TextEncoder(stream: &stream)), codes: codes,
                                schedule: LatentPipeline.defaultSchedule(), scaleFactor: scale)
            }
            let trainer = LatentTrainer(task: task, examples: data.count, configuration: configuration)
            if let previous {
                do { try LatentCheckpoint.resume(trainer, from: previous) } catch {
                    Terminal.printError("cannot resume: \(error)")
                    throw ExitCode(4)
                }
                if trainer.isFinished {
                    print("\(outPath) is already at step \(trainer.step) of \(trainer.totalSteps) (--epochs \(configuration.epochs)); nothing to do.")
                    return
                }
                Terminal.note("resuming \(outPath) at step \(trainer.step) of \(trainer.totalSteps)")
            }
            let parameterCount = task.parameters.reduce(0) { $0 + $1.value.count }
            Terminal.note("training the \(kind.rawValue) (\(parameterCount) parameters) on \(trainer.examples) images: \(configuration.epochs) epochs of \(trainer.stepsPerEpoch) steps, batch \(configuration.batchSize), \(threads) BLAS thread(s)")
            let progress = TrainingProgress(total: trainer.totalSteps, start: trainer.step, stepsPerEpoch: trainer.stepsPerEpoch, examplesPerStep: configuration.batchSize)
            let weightsURL = weights.map { URL(fileURLWithPath: $0) }
            try TrainingLoop(out: outPath, resumed: resume, checkpointEvery: training.checkpointEvery ?? 500,
                             resumeCommand: "lessons train latent \(kind.rawValue) --resume --out \(outPath) --epochs \(configuration.epochs)" + (weights.map { " --weights \($0)" } ?? ""))
                .run(step: { trainer.step }, total: trainer.totalSteps, trainStep: { trainer.trainStep() }, progress: progress) {
                    try LatentCheckpoint.file(of: trainer, weightsOnly: false).write(to: url)
                    if let weightsURL { try LatentCheckpoint.file(of: trainer, weightsOnly: true).write(to: weightsURL) }
                }
            let recent = trainer.losses.suffix(trainer.stepsPerEpoch)
            print(String(format: "trained the %@ to step %d: mean loss of the last %d steps %.5f; checkpoint %@%@",
                         kind.rawValue, trainer.step, recent.count, recent.reduce(0, +) / Float(max(recent.count, 1)), outPath,
                         weights.map { ", weights \($0)" } ?? ""))
            try summarize(task)
        }

        /// The held-out figure of a freshly trained model: test accuracy or test PSNR.
        func summarize(_ task: any LatentTrainingTask) throws {
            let test = try LatentFiles.fashion(.test, limit: testImages)
            if let task = task as? ClassifierTask {
                let scores = ClassifierScores(classifier: task.model, images: test.images)
                let accuracy = scores.accuracy(labels: test.labels)
                print(String(format: "test accuracy %.2f %% on %d images", 100 * accuracy.overall, test.count))
            } else if let task = task as? AutoencoderTask {
                let quality = ReconstructionQuality.psnr(task.model, data: test)
                print(String(format: "test reconstruction PSNR %.2f dB (MSE %.5f on [0, 1] pixels, %d images)", quality.psnr, quality.meanSquaredError, test.count))
            }
        }
    }
}
