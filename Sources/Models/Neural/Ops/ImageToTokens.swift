/// An image batch as a sequence of tokens: [B, C, H, W] → [B·H·W, C], where pixel (h, w)
/// of item b becomes row b·H·W + h·W + w and its C channels the columns (the layout
/// attention reads). A transpose of each item's [C, H·W] matrix; backward: ∂L/∂x is the
/// transpose of ∂L/∂y back into [B, C, H, W].
extension Tape {
    public func imageToTokens(_ x: Variable) -> Variable {
        let input = value(x)
        precondition(input.shape.count == 4, "imageToTokens: expects [B, C, H, W], got \(input.shape)")
        let batch = input.shape[0], channels = input.shape[1], positions = input.shape[2] * input.shape[3]
        let output = scratch([batch * positions, channels])
        Self.transposeBlocks(input, into: output, blocks: batch, rows: channels, columns: positions, accumulate: false)
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            Self.transposeBlocks(dy, into: tape.gradientToAccumulate(x),
                                 blocks: batch, rows: positions, columns: channels, accumulate: true)
        }
    }

    /// For each of `blocks` consecutive [rows, columns] matrices of `source`, writes (or
    /// adds, when `accumulate`) its transpose into the same block of `target`:
    /// target[c, r] = source[r, c]. Tiled so that reads and writes both stay in cache; the
    /// blocks are split over the threads.
    static func transposeBlocks(_ source: Tensor, into target: Tensor, blocks: Int, rows: Int, columns: Int, accumulate: Bool) {
        let size = rows * columns
        Parts.run(blocks, work: blocks * size) { part in
            for block in part {
                transpose(source.pointer + block * size, into: target.pointer + block * size, rows: rows, columns: columns, accumulate: accumulate)
            }
        }
    }

    /// One block of `transposeBlocks`.
    private static func transpose(_ from: UnsafePointer<Float>, into to: UnsafeMutablePointer<Float>, rows: Int, columns: Int, accumulate: Bool) {
        let tile = 16
        for rowStart in stride(from: 0, to: rows, by: tile) {
            let rowEnd = min(rowStart + tile, rows)
            for columnStart in stride(from: 0, to: columns, by: tile) {
                let columnEnd = min(columnStart + tile, columns)
                for column in columnStart..<columnEnd {
                    let line = to + column * rows
                    if accumulate {
                        for row in rowStart..<rowEnd { line[row] += from[row * columns + column] }
                    } else {
                        for row in rowStart..<rowEnd { line[row] = from[row * columns + column] }
                    }
                }
            }
        }
    }
}
