import Neural
import Stochastic

/// Trains the evaluation classifier: the cross-entropy −log p(label | image) of its softmax,
/// on the training images as they are or changed by an `ImageAugmentation`.
public final class ClassifierTask: LatentTrainingTask {
    public let model: Classifier
    public let data: FashionMNIST
    public let augmentation: ImageAugmentation?

    public init(model: Classifier, data: FashionMNIST, augmentation: ImageAugmentation? = nil) {
        self.model = model
        self.data = data
        self.augmentation = augmentation
    }

    public var kind: LatentModelKind { .classifier }
    public var parameters: [Parameter] { model.parameters }
    public var metadata: [String: String] { [:] }

    public func loss(indices: [Int], stream: inout RandomStream, on tape: Tape) -> Variable {
        let images = data.input(indices, on: tape) { batch in
            guard let augmentation else { return }
            let side = FashionMNIST.side, scratch = tape.scratch([side * side])
            for slot in indices.indices {
                augmentation.apply(to: batch.pointer + slot * side * side, side: side, scratch: scratch.pointer, stream: &stream)
            }
            tape.recycle(scratch)
        }
        return tape.softmaxCrossEntropy(logits: model(images, on: tape), labels: indices.map { data.labels[$0] })
    }
}
