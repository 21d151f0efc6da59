import CheckCore
import Foundation
import LatentDiffusion
import Neural
import ProjectFolders

/// The committed latent models (Models/autoencoder.safetensors, unet.safetensors,
/// classifier.safetensors, trained by `lessons train`), for the lesson's checks.
struct CommittedModels {
    let pipeline: LatentPipeline
    let unet: UNet
    let classifier: Classifier
    let unetFile: SafetensorsFile

    static func load() throws -> CommittedModels {
        guard let folder = ProjectFolders.nearest(named: "Models") else {
            throw LatentCheckpointError("the latent checks read Models/autoencoder.safetensors, unet.safetensors and classifier.safetensors; no Models/ folder above the working directory or the executable")
        }
        let unetFile = try SafetensorsFile(contentsOf: folder.appendingPathComponent("unet.safetensors"))
        let pipeline = try LatentPipeline.load(autoencoder: SafetensorsFile(contentsOf: folder.appendingPathComponent("autoencoder.safetensors")), unet: unetFile)
        let classifier = Classifier(seed: 0)
        try LatentCheckpoint.loadWeights(SafetensorsFile(contentsOf: folder.appendingPathComponent("classifier.safetensors")), into: classifier.parameters, kind: .classifier)
        guard let unet = pipeline.unet else { throw LatentCheckpointError("\(unetFile.source) did not load as the project's U-Net") }
        return CommittedModels(pipeline: pipeline, unet: unet, classifier: classifier, unetFile: unetFile)
    }
}

