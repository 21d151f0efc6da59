import ArgumentParser
import Foundation
import LatentDiffusion

extension LessonsCommand {
    struct ExportModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-model",
            abstract: "Write the latent model as a folder in diffusers' layout (unet/, scheduler/, text_encoder/, vae/).",
            discussion: """
                The U-Net becomes a diffusers UNet2DConditionModel (config.json and \
                diffusion_pytorch_model.safetensors) that diffusers loads with from_pretrained; the scheduler \
                folder holds a DDIMScheduler config with the model's β schedule; vae/ is the autoencoder as it \
                is, a diffusers AutoencoderKL with the U-Net's scale factor as its scaling_factor. The text \
                encoder is the project's own class, written with its config. `lessons generate \
                --model DIR` and `lessons eval latent --model DIR` read the folder back. \
                How the conversion works and what it proves: docs/diffusers-parity.md.
                Exit status: 0 written, 4 a weights file cannot be read, the model cannot be converted or the \
                folder cannot be written, 64 usage error.
                """)

        @Option(help: "The format: diffusers (the only one).")
        var format: String

        @Option(help: "The folder to create; it must not exist yet.")
        var out: String

        @OptionGroup(title: "Model files") var files: LatentModelFiles

        func validate() throws {
            guard format == "diffusers" else { throw ValidationError("--format must be diffusers (got '\(format)')") }
            guard files.model == nil else { throw ValidationError("--model reads a folder that is already in diffusers' layout; export from --unet/--autoencoder files") }
            guard !out.isEmpty else { throw ValidationError("--out needs a folder path") }
        }

        func run() throws {
            let target = URL(fileURLWithPath: out).standardizedFileURL
            guard !FileManager.default.fileExists(atPath: target.path) else {
                Terminal.printError("--out \(target.path) exists; choose a new folder (nothing is overwritten)")
                throw ExitCode(4)
            }
            let parent = target.deletingLastPathComponent()
            try OutputLocation.requireWritable(folder: parent, option: "--out", exitCode: 4)
            let pipeline = try LatentFiles.pipeline(files)
            // Written beside the target and renamed at the end: a failed export leaves no half folder.
            let staging = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
            do {
                try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
                try LatentModelFolder.write(pipeline, to: staging)
                try FileManager.default.moveItem(at: staging, to: target)
            } catch {
                try? FileManager.default.removeItem(at: staging)
                Terminal.printError("cannot export the model to \(target.path): \(error)")
                throw ExitCode(4)
            }
            print("wrote \(target.path): unet/ (diffusers UNet2DConditionModel), scheduler/ (DDIMScheduler), text_encoder/, vae/ (AutoencoderKL)")
        }
    }
}
