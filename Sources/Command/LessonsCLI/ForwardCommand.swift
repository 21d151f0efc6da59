import ArgumentParser
import Foundation
import LatentDiffusion
import Neural

extension LessonsCommand {
    struct Forward: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a diffusers U-Net or autoencoder (config.json + diffusion_pytorch_model.safetensors) in Swift on given inputs.",
            discussion: """
                The model folder is diffusers' layout of a UNet2DConditionModel (Stable Diffusion 1.x/2.x, \
                SDXL's text_time conditioning) or an AutoencoderKL, Float32. For an AutoencoderKL, --inputs \
                holds `sample` (images to encode: --out gets their `moments`, mean and log-variance) and/or \
                `latents` (to decode: --out gets `sample`). For a U-Net, --inputs is a safetensors file with `sample` \
                [B, C, H, W], `timestep` [B] (or one value for all), `encoder_hidden_states` [B, M, D] and, \
                for SDXL, `text_embeds` [B, P] and `time_ids` [B, 6]. --out gets `sample`, the model's output, \
                and with --blocks every module's output under its diffusers name (down_blocks.0.resnets.1, \
                mid_block, up_blocks.2, …), to compare with diffusers block by block. Prints the time and \
                the peak memory. Exit status: 0 done, 4 the model, the inputs or the output file cannot be \
                read or written (the message names the file, key or tensor), 64 usage error.
                """)

        @Option(help: "The diffusers model folder (config.json, diffusion_pytorch_model.safetensors).")
        var model: String

        @Option(help: "The inputs, a safetensors file (see above).")
        var inputs: String

        @Option(help: "The output safetensors file.")
        var out: String

        @Flag(help: "Also write every module's output under its diffusers name.")
        var blocks = false

        @OptionGroup var threading: ThreadOptions

        func validate() throws {
            guard out.hasSuffix(".safetensors") else { throw ValidationError("--out must name a .safetensors file (got '\(out)')") }
        }

        func run() throws {
            try OutputLocation.requireWritable(file: URL(fileURLWithPath: out), option: "--out", exitCode: 4)
            BLAS.threads = threading.count(default: 2)
            let folder = URL(fileURLWithPath: model)
            let kind: DiffusersModelClass
            do { kind = try DiffusersModelClass(folder: folder) } catch {
                Terminal.printError("\(error)")
                throw ExitCode(4)
            }
            let clock = ContinuousClock()
            let began = clock.now
            var traced: [SafetensorsTensor] = []
            let record = { (name: String, value: Tensor) in
                if blocks { traced.append(SafetensorsTensor(name: name, shape: value.shape, values: value.values)) }
            }
            var outputs: [SafetensorsTensor] = []
            var summary = "", loaded = began, loadPeak = 0.0
            do {
                switch kind {
                case .unet:
                    let unet = try DiffusersUNet.load(folder: folder)
                    let given = try Self.readInputs(URL(fileURLWithPath: inputs))
                    try unet.validate(given)
                    (loaded, loadPeak) = (clock.now, PeakMemory.gigabytes)
                    let output = unet(given, trace: record)
                    outputs = [SafetensorsTensor(name: "sample", shape: output.shape, values: output.values)]
                    summary = "UNet2DConditionModel: \(unet.parameterCount) parameters, \(unet.config.blockOutChannels.count) levels"
                case .autoencoder:
                    let autoencoder = try Autoencoder.load(folder: folder)
                    let given = try Self.readAutoencoderInputs(URL(fileURLWithPath: inputs), config: autoencoder.config)
                    (loaded, loadPeak) = (clock.now, PeakMemory.gigabytes)
                    if let image = given.image {
                        let moments = autoencoder.encode(image, trace: record)
                        outputs.append(SafetensorsTensor(name: "moments", shape: moments.shape, values: moments.values))
                    }
                    if let latents = given.latents {
                        let decoded = autoencoder.decode(latents, trace: record)
                        outputs.append(SafetensorsTensor(name: "sample", shape: decoded.shape, values: decoded.values))
                    }
                    summary = "AutoencoderKL: \(autoencoder.parameterCount) parameters, \(autoencoder.config.blockOutChannels.count) levels"
                }
            } catch {
                Terminal.printError("\(error)")
                throw ExitCode(4)
            }
            let computed = clock.now
            do {
                try SafetensorsFile(tensors: outputs + traced, metadata: ["producer": "lessons forward"]).write(to: URL(fileURLWithPath: out))
            } catch {
                Terminal.printError("cannot write \(out): \(error)")
                throw ExitCode(4)
            }
            let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
            print("\(summary); \(outputs.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")) written to \(out)"
                  + (blocks ? " with \(traced.count) module outputs" : ""))
            print(String(format: "load %.2f s, forward %.2f s on %d thread(s), peak memory %.2f GB (%.2f GB after loading)",
                         seconds(loaded - began), seconds(computed - loaded), BLAS.threads, PeakMemory.gigabytes, loadPeak))
        }

        /// An autoencoder's inputs: `sample` (images to encode) and/or `latents` (to decode).
        static func readAutoencoderInputs(_ url: URL, config: AutoencoderConfig) throws -> (image: Tensor?, latents: Tensor?) {
            let file: SafetensorsFile
            do { file = try SafetensorsFile(contentsOf: url) } catch { throw DiffusersModelError("\(error)") }
            let factor = 1 << (config.blockOutChannels.count - 1)
            func tensor(_ name: String, channels: Int, multiple: Int) throws -> Tensor? {
                guard let stored = file.tensors.first(where: { $0.name == name }) else { return nil }
                let s = stored.shape
                guard s.count == 4, s[0] >= 1, s[1] == channels, s[2] > 0, s[3] > 0, s[2] % multiple == 0, s[3] % multiple == 0 else {
                    throw DiffusersModelError("\(url.path): \(name) has shape \(s); expected [B, \(channels), H, W] with H and W multiples of \(multiple)")
                }
                return Tensor(shape: s, values: stored.values)
            }
            let image = try tensor("sample", channels: config.inChannels, multiple: factor)
            let latents = try tensor("latents", channels: config.latentChannels, multiple: 1)
            guard image != nil || latents != nil else {
                throw DiffusersModelError("\(url.path) has neither \"sample\" (images to encode) nor \"latents\" (to decode)")
            }
            return (image, latents)
        }

        /// The inputs file: `sample`, `timestep`, `encoder_hidden_states`, optional SDXL inputs.
        static func readInputs(_ url: URL) throws -> DiffusersUNet.Inputs {
            let file: SafetensorsFile
            do { file = try SafetensorsFile(contentsOf: url) } catch { throw DiffusersModelError("\(error)") }
            func tensor(_ name: String) throws -> Tensor {
                guard let stored = file.tensors.first(where: { $0.name == name }) else {
                    throw DiffusersModelError("\(url.path) has no tensor \"\(name)\"; expected sample, timestep and encoder_hidden_states (and text_embeds, time_ids for SDXL)")
                }
                return Tensor(shape: stored.shape, values: stored.values)
            }
            func optional(_ name: String) throws -> Tensor? {
                file.tensors.contains { $0.name == name } ? try tensor(name) : nil
            }
            let sample = try tensor("sample")
            let timestep = try tensor("timestep")
            let batch = sample.shape.first ?? 0
            guard timestep.count == 1 || timestep.count == batch else {
                throw DiffusersModelError("\(url.path): timestep has \(timestep.count) values for a batch of \(batch); give one, or one per image")
            }
            let timesteps = timestep.count == 1 ? Array(repeating: timestep[0], count: batch) : timestep.values
            return DiffusersUNet.Inputs(sample: sample, timesteps: timesteps, encoderHiddenStates: try tensor("encoder_hidden_states"),
                                        textEmbeds: try optional("text_embeds"), timeIds: try optional("time_ids"))
        }
    }
}

/// The process's peak resident memory: VmHWM of /proc/self/status (this program's own peak;
/// getrusage's ru_maxrss would also count the memory of a parent that started it, which
/// Linux carries across fork and exec).
enum PeakMemory {
    static var gigabytes: Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kilobytes / 1_048_576
    }
}
