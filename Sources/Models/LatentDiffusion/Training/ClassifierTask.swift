import Neural
import Stochastic

/// Trains the evaluation classifier: the cross-entropy −log p(label | image) of its softmax.
public final class ClassifierTask: LatentTrainingTask {
    public let model: Classifier
    public let data: FashionMNIST

    public init(model: Classifier, data: FashionMNIST) {
        self.model = model
        self.data = data
    }

    public var kind: LatentModelKind { .classifier }
    public var parameters: [Parameter] { model.parameters }
    public var metadata: [String: String] { [:] }

    public func loss(indices: [Int], stream: inout RandomStream, on tape: Tape) -> Variable {
        let images = data.input(indices, on: tape)
        return tape.softmaxCrossEntropy(logits: model(images, on: tape), labels: indices.map { data.labels[$0] })
    }
}
