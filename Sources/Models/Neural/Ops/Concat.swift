/// Concatenation along columns: [n, p₁], [n, p₂], … → [n, p₁ + p₂ + …] (e.g. a point
/// and its time embedding). Backward: each input receives its own block of ∂L/∂y.
extension Tape {
    public func concatColumns(_ parts: [Variable]) -> Variable {
        precondition(!parts.isEmpty, "concatColumns needs at least one input")
        let rows = value(parts[0]).rows
        let widths = parts.map { value($0).columns }
        precondition(parts.allSatisfy { value($0).rows == rows }, "concatColumns: inputs have different numbers of rows")
        let total = widths.reduce(0, +)
        let output = scratch([rows, total])
        var offset = 0
        for (part, width) in zip(parts, widths) {
            let source = value(part).pointer
            for row in 0..<rows { (output.pointer + row * total + offset).update(from: source + row * width, count: width) }
            offset += width
        }
        return record(output) { tape, dy in
            var offset = 0
            for (part, width) in zip(parts, widths) {
                defer { offset += width }
                guard tape.needsGradient(part) else { continue }
                let dx = tape.gradientToAccumulate(part).pointer
                for row in 0..<rows {
                    let source = dy.pointer + row * total + offset, target = dx + row * width
                    for column in 0..<width { target[column] += source[column] }
                }
            }
        }
    }
}
