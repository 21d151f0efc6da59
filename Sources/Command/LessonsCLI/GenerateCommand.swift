import ArgumentParser
import Charts
import Foundation
import LatentDiffusion
import Neural
import AtomicFiles
import ScoreODE
import ToyDiffusion

extension LessonsCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate Fashion-MNIST images from a prompt with the latent diffusion model (classifier-free guidance).",
            discussion: """
                The prompt is made of the words of the class names (\(Prompt.words.joined(separator: ", "))), \
                e.g. "sneaker" or "ankle boot"; "" is the unconditional model. Without --unet/--autoencoder the \
                committed weights under Models/ are used. --out FILE.png writes a grid of the images \
                (drawn by gnuplot); --out FILE.npy writes float32 [N, 28, 28] in [0, 1] for NumPy.
                Exit status: 0 done, 4 a weights file cannot be read or the output written, 64 usage error.
                """)

        @Argument(help: "The prompt, e.g. \"sneaker\".")
        var prompt: String

        @Option(help: "How many images (1…10000).")
        var n = 16

        @Option(help: "The guidance scale w of ε̂ = ε_∅ + w(ε_c − ε_∅), 0…50 (1: no guidance, 0: unconditional).")
        var guidance = 3.0

        @Option(help: "The seed of the starting noise and of every step's noise.", transform: seedArgument)
        var seed: UInt64 = 0

        @Option(help: "The output file: .png (an image grid) or .npy (float32 [N, 28, 28]).")
        var out: String

        @Option(name: .customLong("initial-noise"), help: "A .npy of N × 4 × 8 × 8 standard normals to start from instead of the seed's draw of z_T (e.g. another program's noise).")
        var initialNoise: String?

        @OptionGroup(title: "Sampler") var sampling: SamplerOptions

        @OptionGroup(title: "Model files") var files: LatentModelFiles

        @OptionGroup var threading: ThreadOptions

        func validate() throws {
            do { _ = try Prompt(prompt) } catch { throw ValidationError(error.description) }
            guard (1...10_000).contains(n) else { throw ValidationError("--n must be between 1 and 10000 (got \(n))") }
            guard guidance.isFinite, (0...50).contains(guidance) else { throw ValidationError("--guidance must be a number in 0…50 (got \(guidance))") }
            guard out.hasSuffix(".png") || out.hasSuffix(".npy"), URL(fileURLWithPath: out).lastPathComponent.count > 4 else {
                throw ValidationError("--out must name a .png or .npy file (got '\(out)')")
            }
        }

        /// The starting latents of --initial-noise: exactly n × 4 × 8 × 8 finite values.
        func readInitialNoise(_ path: String) throws -> [Float] {
            let array: (shape: [Int], values: [Float])
            do { array = try NumpyFile.read(contentsOf: URL(fileURLWithPath: path)) } catch {
                Terminal.printError("--initial-noise: \(error)")
                throw ExitCode(4)
            }
            let expected = [n] + LatentCodes.shape
            guard array.shape == expected else {
                Terminal.printError("--initial-noise \(path) has shape \(array.shape); --n \(n) needs \(expected)")
                throw ExitCode(4)
            }
            guard array.values.allSatisfy(\.isFinite) else {
                Terminal.printError("--initial-noise \(path) holds a value that is not finite")
                throw ExitCode(4)
            }
            return array.values
        }

        func run() throws {
            try OutputLocation.requireWritable(file: URL(fileURLWithPath: out), option: "--out", exitCode: 4)
            BLAS.threads = threading.count(default: 2)
            let noise = try initialNoise.map(readInitialNoise)
            let pipeline = try LatentFiles.pipeline(files)
            let parsed = try Prompt(prompt)
            let kind = try sampling.kind(default: .ddim, variance: .small, schedule: pipeline.schedule)
            let sampler = sampling.choice(default: .ddim)
            let terminal = Terminal.current
            let images = try pipeline.generate(prompts: Array(repeating: parsed, count: n), guidance: guidance, sampler: kind, seed: seed, initialNoise: noise) { done, total in
                if terminal.progressVisible { terminal.progress("step \(done)/\(total)") }
            }
            terminal.clearProgress()
            let crops = LatentImages.crops(images)
            let url = URL(fileURLWithPath: out)
            do {
                if out.hasSuffix(".npy") {
                    try NumpyFile.write(shape: [n, FashionMNIST.sourceSide, FashionMNIST.sourceSide], values: crops.flatMap { $0 }, to: url)
                } else {
                    let columns = Int(Double(n).squareRoot().rounded(.up))
                    let title = "\"\(prompt)\"  w = \(guidance)  \(sampler == .ddpm ? "DDPM" : "\(sampler.rawValue) \(sampling.steps)")  seed \(seed)"
                    try AtomicFile.write(ImageGrid(images: crops, side: FashionMNIST.sourceSide, columns: columns, title: title).png(), to: url)
                }
            } catch {
                Terminal.printError("cannot write \(out): \(error)")
                throw ExitCode(4)
            }
            print("wrote \(n) image(s) for \"\(prompt)\" to \(out)")
            print(SamplerChoice.describe(kind, schedule: pipeline.schedule))
        }
    }
}

/// Generated images as the 28×28 crops a user sees.
enum LatentImages {
    /// Each image of [N, 1, 32, 32] in [−1, 1] as 28×28 values in [0, 1].
    static func crops(_ images: Tensor) -> [[Float]] {
        let pixels = FashionMNIST.side * FashionMNIST.side
        return (0..<images.shape[0]).map { FashionMNIST.crop28(images.pointer + $0 * pixels) }
    }
}

extension LatentFiles {
    /// The generation pipeline from a model folder, the given weight files or the committed ones.
    static func pipeline(_ files: LatentModelFiles) throws -> LatentPipeline {
        do {
            if let model = files.model { return try LatentModelFolder.load(URL(fileURLWithPath: model)) }
            let unetURL = try url(files.unet, kind: .unet), autoencoderURL = try url(files.autoencoder, kind: .autoencoder)
            return try LatentPipeline.load(autoencoder: autoencoderURL, unet: unetURL)
        } catch let error as ValidationError {
            throw error
        } catch {
            Terminal.printError("cannot load the latent model: \(error)")
            throw ExitCode(4)
        }
    }
}
