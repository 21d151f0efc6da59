import ArgumentParser
import Foundation
import LatentDiffusion
import Neural
import ScoreODE

extension LessonsCommand {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate the latent diffusion model: conditional accuracy per class, FID and its floor, the autoencoder's PSNR, the classifier's accuracy.",
            discussion: """
                Generates --per-class images for each of the ten class names with classifier-free \
                guidance, and lets the project's classifier label them: the conditional accuracy of a \
                class is the share labelled as the prompt's class. FID is the Fréchet distance between \
                Gaussians fitted to the classifier's 128 penultimate features of the generated images \
                and of as many test images; its floor is the same distance between as many training \
                images and the test images. Without --unet/--autoencoder/--classifier the committed \
                weights under Models/ are used. --class restricts all of it to some classes, e.g. \
                --class shirt to measure one class on many images: FID and its floor then use only \
                the test and training images of those classes.
                Exit status: 0 done, 4 a weights or data file cannot be read, 64 usage error.
                """)

        enum Target: String, ExpressibleByArgument, CaseIterable { case latent }

        @Argument(help: "What to evaluate: latent.")
        var target: Target

        @Option(name: .customLong("per-class"), help: "Generated images per class (1…1000).")
        var perClass = 100

        @Option(name: .customLong("class"), help: "Evaluate only this class (repeatable; a class name as in a prompt, e.g. --class shirt --class \"t-shirt/top\"). Default: all ten.")
        var classes: [String] = []

        @Option(help: "The guidance scale w (0…50).")
        var guidance = 3.0

        @Option(name: .customLong("test-images"), help: "Use the first N test images (1…10000) for the classifier's accuracy, the autoencoder's PSNR and FID's real images: fewer is quicker and noisier.")
        var testImages = FashionMNIST.Split.test.count

        @Option(help: "The seed of the generated images.", transform: seedArgument)
        var seed: UInt64 = 0

        @OptionGroup(title: "Sampler") var sampling: SamplerOptions

        @OptionGroup(title: "Model files") var files: LatentModelFiles

        @Option(help: "The classifier weights (default Models/classifier.safetensors).")
        var classifier: String?

        @OptionGroup var threading: ThreadOptions

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        func validate() throws {
            guard (1...1000).contains(perClass) else { throw ValidationError("--per-class must be between 1 and 1000 (got \(perClass))") }
            guard guidance.isFinite, (0...50).contains(guidance) else { throw ValidationError("--guidance must be a number in 0…50 (got \(guidance))") }
            guard (1...FashionMNIST.Split.test.count).contains(testImages) else {
                throw ValidationError("--test-images must be between 1 and \(FashionMNIST.Split.test.count) (got \(testImages))")
            }
            let images = try chosenClasses().count * perClass
            guard images >= 2 else {
                throw ValidationError("the FID needs at least 2 generated images, and --class \(classes[0]) with --per-class 1 makes 1; use --per-class 2 or more")
            }
        }

        /// The labels of the classes to evaluate, in the order of the class names.
        func chosenClasses() throws -> [Int] {
            let names = FashionMNIST.classNames
            for name in classes where !names.contains(name.lowercased()) {
                throw ValidationError("--class \"\(name)\" is not a Fashion-MNIST class; the classes are: \(names.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            let wanted = Set(classes.map { $0.lowercased() })
            return names.indices.filter { wanted.isEmpty || wanted.contains(names[$0]) }
        }

        struct Report: Encodable {
            var classNames: [String]
            var conditionalAccuracy: [Double]
            var meanConditionalAccuracy: Double
            var generatedPerClass: Int
            var guidance: Double
            var ddimSteps: Int
            /// The sampler, its steps and timesteps, and its network evaluations, in words.
            var sampler: String
            var fid: Double
            var fidFloor: Double
            var fidImages: Int
            /// The test images behind the classifier's accuracy, the PSNR and FID's real side.
            var testImages: Int
            var psnr: Double
            var classifierTestAccuracy: Double
            var classifierTestAccuracyPerClass: [Double]
        }

        func run() throws {
            BLAS.threads = threading.count(default: 2)
            let pipeline = try LatentFiles.pipeline(files)
            let classifierModel = try LatentFiles.classifier(LatentFiles.url(classifier, kind: .classifier))
            let test = try LatentFiles.fashion(.test, limit: testImages)
            let train = try LatentFiles.fashion(.train)
            let terminal = Terminal.current
            let chosen = try chosenClasses()
            let kind = try sampling.kind(default: .ddim, variance: .small, schedule: pipeline.schedule)
            let evaluation: LatentEvaluation
            do {
                evaluation = try LatentEvaluation(
                    pipeline: pipeline, classifier: classifierModel, test: test, train: train, classes: chosen, perClass: perClass,
                    guidance: guidance, sampler: kind, seed: seed
                ) { done, total in
                    if terminal.progressVisible { terminal.progress("generating \(chosen.count * perClass) images: step \(done)/\(total)") }
                }
            } catch let error as LatentEvaluation.TooFewTestImages {
                throw ValidationError("\(error): raise --test-images (now \(testImages)) or lower --per-class")
            }
            terminal.clearProgress()
            let count = evaluation.fidImages, psnr = evaluation.psnr
            let report = Report(
                classNames: chosen.map { FashionMNIST.classNames[$0] }, conditionalAccuracy: evaluation.conditionalAccuracy,
                meanConditionalAccuracy: evaluation.meanConditionalAccuracy, generatedPerClass: perClass,
                guidance: guidance, ddimSteps: sampling.steps,
                sampler: SamplerChoice.describe(kind, schedule: pipeline.schedule),
                fid: evaluation.fid, fidFloor: evaluation.fidFloor, fidImages: count, testImages: test.count,
                psnr: psnr, classifierTestAccuracy: evaluation.classifierTestAccuracy,
                classifierTestAccuracyPerClass: evaluation.classifierTestAccuracyPerClass)
            if json {
                try Terminal.printJSON(report)
                return
            }
            print("Latent diffusion on Fashion-MNIST (guidance \(guidance), \(perClass) images per class, seed \(seed)):")
            print("  " + report.sampler)
            print("  class          conditional accuracy   classifier on test images")
            for (row, name) in report.classNames.enumerated() {
                print("  " + name.padding(toLength: 14, withPad: " ", startingAt: 0)
                      + String(format: "   %6.1f %%                %6.1f %%", 100 * report.conditionalAccuracy[row], 100 * report.classifierTestAccuracyPerClass[row]))
            }
            print(String(format: "  mean           %6.1f %%                %6.1f %%", 100 * report.meanConditionalAccuracy,
                         100 * report.classifierTestAccuracyPerClass.reduce(0, +) / Double(report.classNames.count)))
            print(String(format: "  FID (classifier features, %d images) %.3f; floor (train vs test) %.3f", count, report.fid, report.fidFloor))
            if LatentEvaluation.isSmallSample(fidImages: count) {
                print("    (\(count) images, no more than the classifier's \(Classifier.features) features: the fitted covariances are singular, "
                      + "so FID and its floor compare with each other only, not with FIDs of more images)")
            }
            print(String(format: "  autoencoder test PSNR %.2f dB (%d test images)", psnr, report.testImages))
        }
    }
}

