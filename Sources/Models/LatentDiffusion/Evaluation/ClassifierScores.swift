import Neural

/// What the evaluation classifier says about a set of images [N, 1, 32, 32]: its predicted
/// class for each, and its penultimate features (for the Fréchet distance).
public struct ClassifierScores: Sendable {
    public let predictions: [Int]
    /// [N, Classifier.features] row-major.
    public let features: [Double]

    public init(classifier: Classifier, images: Tensor) {
        let n = images.shape[0], d = Classifier.features
        var predictions = [Int](repeating: 0, count: n)
        var features = [Double](repeating: 0, count: n * d)
        forEachBatch(count: n, input: { range, tape in tape.images(images, range) }, compute: { x, tape in
            let h = classifier.features(x, on: tape)
            return tape.concatColumns([h, classifier.head(h, on: tape)])
        }, consume: { start, output in
            let width = d + 10
            for row in 0..<output.shape[0] {
                let base = output.pointer + row * width
                for k in 0..<d { features[(start + row) * d + k] = Double(base[k]) }
                var best = 0
                for c in 1..<10 where base[d + c] > base[d + best] { best = c }
                predictions[start + row] = best
            }
        })
        self.predictions = predictions
        self.features = features
    }

    /// The share of images whose prediction is their label, overall and per class
    /// (nil for a class with no images).
    public func accuracy(labels: [Int]) -> (overall: Double, perClass: [Double?]) {
        var hits = [Int](repeating: 0, count: 10), totals = hits
        for (prediction, label) in zip(predictions, labels) {
            totals[label] += 1
            if prediction == label { hits[label] += 1 }
        }
        let overall = Double(hits.reduce(0, +)) / Double(max(labels.count, 1))
        return (overall, (0..<10).map { totals[$0] == 0 ? nil : Double(hits[$0]) / Double(totals[$0]) })
    }
}
