import ArgumentParser
import Foundation
import LatentDiffusion
import Neural
import ProjectFolders

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
