import ArgumentParser
import CheckCore
import Foundation
import LatentDiffusion
import Neural
import Notebook
import ProjectFolders
import Stochastic

extension LessonsCommand.Train {
    /// `lessons train autoencoder|unet|classifier`: epochs of Adam over Fashion-MNIST.
    func trainLatent(_ kind: LatentModelKind) throws {
        BLAS.threads = threads
        let url = URL(fileURLWithPath: outPath)
        var configuration = LatentTrainingConfiguration.defaults(for: kind)
        var previous: SafetensorsFile?
        if resume {
            let file = try LatentFiles.readCheckpoint(url, resuming: true)
            configuration = try LatentFiles.configuration(of: file, kind: kind)
            previous = file
        } else {
            configuration.seed = seed
            if let examples { configuration.examples = examples }
        }
        if let epochs { configuration.epochs = epochs }
        if let learningRate { configuration.learningRate = learningRate }

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
        try TrainingLoop(out: outPath, resumed: resume, checkpointEvery: checkpointEvery ?? 500,
                         resumeCommand: "lessons train \(kind.rawValue) --resume --out \(outPath) --epochs \(configuration.epochs)" + (weights.map { " --weights \($0)" } ?? ""))
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
        let test = try LatentFiles.fashion(.test)
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

/// Reading the latent models' files at the command-line edge, with each failure a message
/// and exit status 4 (or a usage error for a missing --resume file).
enum LatentFiles {
    static func fashion(_ split: FashionMNIST.Split, limit: Int? = nil) throws -> FashionMNIST {
        do { return try FashionMNIST.load(split: split, limit: limit) } catch {
            Terminal.printError("\(error)")
            throw ExitCode(4)
        }
    }

    static func readCheckpoint(_ url: URL, resuming: Bool) throws -> SafetensorsFile {
        do { return try SafetensorsFile(contentsOf: url) } catch {
            if resuming, case .missingFile = error {
                throw ValidationError("--resume: no checkpoint at \(url.path); run without --resume to start training")
            }
            Terminal.printError("cannot read \(url.path): \(error)")
            throw ExitCode(4)
        }
    }

    /// An explicit file, or the committed Models/KIND.safetensors.
    static func url(_ explicit: String?, kind: LatentModelKind) throws -> URL {
        if let explicit {
            guard !explicit.isEmpty else { throw ValidationError("--\(kind.rawValue) needs a path to a .safetensors file") }
            return URL(fileURLWithPath: explicit)
        }
        guard let models = ProjectFolders.nearest(named: "Models") else {
            throw ValidationError("no --\(kind.rawValue) file given and no Models/ folder found above the working directory or the executable; pass --\(kind.rawValue) FILE")
        }
        let url = models.appendingPathComponent(kind.rawValue + ".safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("no pretrained \(kind.rawValue) in \(models.path); train one with `lessons train \(kind.rawValue) --weights FILE` and pass --\(kind.rawValue) FILE")
        }
        return url
    }

    static func autoencoder(_ url: URL) throws -> Autoencoder {
        let model = Autoencoder(seed: 0)
        try loadWeights(url, into: model.parameters, kind: .autoencoder)
        return model
    }

    static func classifier(_ url: URL) throws -> Classifier {
        let model = Classifier(seed: 0)
        try loadWeights(url, into: model.parameters, kind: .classifier)
        return model
    }

    /// Fills `parameters` from a weights file of `kind`; any failure is a message and exit 4.
    static func loadWeights(_ url: URL, into parameters: [Parameter], kind: LatentModelKind) throws {
        do {
            try LatentCheckpoint.loadWeights(readCheckpoint(url, resuming: false), into: parameters, kind: kind)
        } catch let error as LatentCheckpointError {
            Terminal.printError("\(error)")
            throw ExitCode(4)
        }
    }

    /// The configuration a training state was written with.
    static func configuration(of file: SafetensorsFile, kind: LatentModelKind) throws -> LatentTrainingConfiguration {
        do {
            return try LatentCheckpoint.configuration(of: file, kind: kind)
        } catch {
            Terminal.printError("cannot resume: \(error)")
            throw ExitCode(4)
        }
    }
}
