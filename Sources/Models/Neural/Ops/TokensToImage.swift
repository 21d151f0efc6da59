/// The inverse of `imageToTokens`: [B·H·W, C] → [B, C, H, W], row b·H·W + h·W + w going
/// to pixel (h, w) of item b. Backward: ∂L/∂x is ∂L/∂y laid out as tokens again.
extension Tape {
    public func tokensToImage(_ x: Variable, batch: Int, height: Int, width: Int) -> Variable {
        let input = value(x)
        let positions = height * width
        precondition(input.shape.count == 2 && batch > 0 && input.rows == batch * positions,
                     "tokensToImage: \(input.shape) is not [\(batch)·\(height)·\(width), C]")
        let channels = input.columns
        let output = scratch([batch, channels, height, width])
        Self.transposeBlocks(input, into: output, blocks: batch, rows: positions, columns: channels, accumulate: false)
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            Self.transposeBlocks(dy, into: tape.gradientToAccumulate(x),
                                 blocks: batch, rows: channels, columns: positions, accumulate: true)
        }
    }
}
