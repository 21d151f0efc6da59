import Foundation

/// The classification loss L = (1/n) Σᵣ −log softmax(zᵣ)[yᵣ] for logits z [n, K] and labels
/// yᵣ ∈ 0..<K, computed stably as log Σⱼ exp(zᵣⱼ − mᵣ) − (zᵣ,yᵣ − mᵣ) with mᵣ the row
/// maximum. Backward: ∂L/∂zᵣⱼ = (softmax(zᵣ)ⱼ − [j = yᵣ])/n; the probabilities are kept.
extension Tape {
    public func softmaxCrossEntropy(logits: Variable, labels: [Int]) -> Variable {
        let input = value(logits)
        let rows = input.rows, classes = input.columns
        precondition(input.shape.count == 2 && rows > 0 && classes > 0 && labels.count == rows,
                     "softmaxCrossEntropy: logits \(input.shape) with \(labels.count) labels")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "softmaxCrossEntropy: a label outside 0..<\(classes)")
        let probabilities = scratch(input.shape)
        var total: Double = 0
        for row in 0..<rows {
            let z = input.pointer + row * classes, p = probabilities.pointer + row * classes
            let maximum = SmallMatrix.maximum(z, count: classes)
            for column in 0..<classes { p[column] = FastMath.exp(z[column] - maximum) }
            let sum = SmallMatrix.sum(p, count: classes)
            let inverse = 1 / sum
            for column in 0..<classes { p[column] *= inverse }
            total += Foundation.log(Double(sum)) - Double(z[labels[row]] - maximum)
        }
        let output = scratch([1])
        output[0] = Float(total / Double(rows))
        return record(output, extras: [probabilities]) { tape, dy in
            guard tape.needsGradient(logits) else { return }
            let dz = tape.gradientToAccumulate(logits).pointer, p = probabilities.pointer
            let scale = dy[0] / Float(rows)
            for row in 0..<rows {
                let offset = row * classes
                for column in 0..<classes { dz[offset + column] += scale * p[offset + column] }
                dz[offset + labels[row]] -= scale
            }
        }
    }
}
