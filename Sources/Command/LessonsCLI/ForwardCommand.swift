import ArgumentParser
import Foundation
import LatentDiffusion
import Neural

extension LessonsCommand {
    struct Forward: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a diffusers U-Net (config.json + diffusion_pytorch_model.safetensors) in Swift on given inputs.",
            discussion: """
                The model folder is diffusers' layout of a UNet2DConditionModel (Stable Diffusion 1.x/2.x, \
                SDXL's text_time conditioning), Float32. --inputs is a safetensors file with `sample` \
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
            let clock = ContinuousClock()
            let began = clock.now
            let unet: DiffusersUNet
            let given: DiffusersUNet.Inputs
            do {
                unet = try DiffusersUNet.load(folder: URL(fileURLWithPath: model))
                given = try Self.readInputs(URL(fileURLWithPath: inputs))
                try unet.validate(given)
            } catch {
                Terminal.printError("\(error)")
                throw ExitCode(4)
            }
            let loaded = clock.now
            let loadPeak = PeakMemory.gigabytes
            var traced: [SafetensorsTensor] = []
            let output = unet(given) { name, value in
                if blocks { traced.append(SafetensorsTensor(name: name, shape: value.shape, values: value.values)) }
            }
            let computed = clock.now
            let tensors = [SafetensorsTensor(name: "sample", shape: output.shape, values: output.values)] + traced
            do {
                try SafetensorsFile(tensors: tensors, metadata: ["producer": "lessons forward"]).write(to: URL(fileURLWithPath: out))
            } catch {
                Terminal.printError("cannot write \(out): \(error)")
                throw ExitCode(4)
            }
            let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
            print(String(format: "UNet2DConditionModel: %d parameters, %d levels; output %@ written to %@%@",
                         unet.parameterCount, unet.config.blockOutChannels.count, "\(output.shape)", out,
                         blocks ? " with \(traced.count) module outputs" : ""))
            print(String(format: "load %.2f s, forward %.2f s on %d thread(s), peak memory %.2f GB (%.2f GB after loading)",
                         seconds(loaded - began), seconds(computed - loaded), BLAS.threads, PeakMemory.gigabytes, loadPeak))
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
