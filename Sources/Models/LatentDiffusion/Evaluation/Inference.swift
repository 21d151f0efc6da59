import Neural

/// Runs a recorded computation over a large set of images in batches on a non-recording
/// tape, handing each batch's output to `consume(start, output)`.
func forEachBatch(count: Int, batchSize: Int = 250, input: (Range<Int>, Tape) -> Variable,
                  compute: (Variable, Tape) -> Variable, consume: (Int, Tensor) -> Void) {
    let tape = Tape()
    tape.isRecording = false
    var start = 0
    while start < count {
        let range = start..<min(start + batchSize, count)
        consume(start, tape.value(compute(input(range, tape), tape)))
        tape.reset()
        start = range.upperBound
    }
}

extension Tape {
    /// Images [n, 1, 32, 32] copied from a larger tensor of images, as a constant leaf.
    func images(_ all: Tensor, _ range: Range<Int>) -> Variable {
        let pixels = FashionMNIST.side * FashionMNIST.side
        return input(shape: [range.count, 1, FashionMNIST.side, FashionMNIST.side]) { target in
            target.update(from: all.pointer + range.lowerBound * pixels, count: range.count * pixels)
        }
    }
}

