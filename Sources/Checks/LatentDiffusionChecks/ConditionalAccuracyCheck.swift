import CheckCore
import Gaussian
import LatentDiffusion
import Neural
import Stochastic

/// The committed model end to end: generate images for each class name with guidance, and
/// let the project's own classifier label them; the share labelled as the prompt's class,
/// with its binomial standard error √(p(1 − p)/n). The classifier's accuracy on test
/// images beside it says how far the classifier itself can be trusted.
let conditionalAccuracyCheck = CheckDefinition(
    id: "latent.conditional-accuracy",
    title: "Generated images are classified as their prompt's class (committed U-Net, autoencoder and classifier)",
    parameters: [
        ParameterSpec("perClass", .integer(1...1000), default: .integer(10), help: "images generated per class"),
        ParameterSpec("guidance", .real(0...50), default: .real(3), help: "the guidance scale w"),
        ParameterSpec("steps", .integer(1...1000), default: .integer(20), help: "DDIM steps"),
        ParameterSpec("bound", .real(0...1), default: .real(0.8), help: "the smallest acceptable mean conditional accuracy"),
        ParameterSpec("testImages", .integer(10...10_000), default: .integer(2000), help: "test images for the classifier's own accuracy"),
    ],
    mutations: [Mutation("unconditional", "w = 0: the empty prompt's model, no class information"),
                Mutation("shifted", "each image scored against the next class's label")],
    run: conditionalAccuracyRows
)

/// What the generated images depend on: the "shifted" mutation scores the truth's own images
/// against other labels, so the audit generates them once.
private struct GenerationKey: Hashable, Sendable {
    let perClass: Int, guidance: Double, steps: Int, seed: UInt64, generator: RandomGenerator
}

private let generatedImages = RunMemo<GenerationKey, Tensor>()
private let classifierTestAccuracy = RunMemo<Int, (count: Int, accuracy: Double)>()

@Sendable
func conditionalAccuracyRows(_ context: CheckContext) throws -> [CheckRow] {
    let models = try CommittedModels.load()
    let perClass = context.parameters.integer("perClass")
    let w = context.mutated("unconditional") ? 0 : context.parameters.real("guidance")
    let steps = context.parameters.integer("steps")
    let labels = (0..<10).flatMap { Array(repeating: $0, count: perClass) }
    let key = GenerationKey(perClass: perClass, guidance: w, steps: steps, seed: context.seed &+ context.stream, generator: context.generator)
    let images = try generatedImages.value(for: key) {
        try models.pipeline.generate(prompts: labels.map(Prompt.forClass), guidance: w, sampler: .ddim(steps: steps, eta: 0),
                                     seed: key.seed, generator: context.generator)
    }
    let scored = context.mutated("shifted") ? labels.map { ($0 + 1) % 10 } : labels
    let accuracy = ClassifierScores(classifier: models.classifier, images: images).accuracy(labels: scored)
    let perClassText = accuracy.perClass.map { String(format: "%.0f", 100 * ($0 ?? 0)) }.joined(separator: " ")
    let p = accuracy.overall, n = Double(labels.count), bound = context.parameters.real("bound")
    let limit = context.parameters.integer("testImages")
    let test = try classifierTestAccuracy.value(for: limit) {
        let test = try FashionMNIST.load(split: .test, limit: limit)
        return (test.count, ClassifierScores(classifier: models.classifier, images: test.images).accuracy(labels: test.labels).overall)
    }
    return [
        .holds(String(format: "conditional accuracy, %d images (± %.3f); per class %%: %@", labels.count, (p * (1 - p) / n).squareRoot(), perClassText),
               value: p, rule: "≥ \(bound)", pass: p >= bound),
        .holds("the classifier's accuracy on \(test.count) test images", value: test.accuracy, rule: "≥ 0.85", pass: test.accuracy >= 0.85),
    ]
}
