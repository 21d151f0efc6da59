/// A lookup table: rows of table [V, D] gathered by index, y [indices.count, D] with
/// yᵢ = table[indicesᵢ] (class labels or token ids to vectors). Backward: a scatter-add,
/// ∂L/∂table[indicesᵢ] += ∂L/∂yᵢ, so a row looked up twice receives both gradients.
extension Tape {
    public func embedding(table: Variable, indices: [Int]) -> Variable {
        let entries = value(table)
        precondition(entries.shape.count == 2, "embedding: the table must be [V, D], got \(entries.shape)")
        let size = entries.rows, width = entries.columns
        precondition(indices.allSatisfy { (0..<size).contains($0) }, "embedding: an index outside 0..<\(size)")
        let output = scratch([indices.count, width])
        for (row, index) in indices.enumerated() {
            (output.pointer + row * width).update(from: entries.pointer + index * width, count: width)
        }
        return record(output) { tape, dy in
            guard tape.needsGradient(table) else { return }
            let gradient = tape.gradientToAccumulate(table).pointer
            for (row, index) in indices.enumerated() {
                let source = dy.pointer + row * width, target = gradient + index * width
                for column in 0..<width { target[column] += source[column] }
            }
        }
    }
}
