import Synchronization
import Testing
@testable import Neural

/// The operations that split their work over threads (`Parts`) give the same bits whatever
/// the thread count: a graph through each of them, on tensors above `Parts.parallelWork`
/// with sizes that are no multiple of the parts or of 16, run forward and backward with 1,
/// 2 and 3 threads. (The gradient tests prove each op right on one thread; equality here
/// carries that to the split runs.)
@Suite struct ThreadPartsTests {
    /// Every output and gradient of conv2d (bias, kept X̂) → groupNorm → SiLU → tokens and
    /// back → residual add → 1×1 conv2d → conv2d (constant weight, X̂ rebuilt) → MSE, plus
    /// GELU → GEGLU → MSE on the tokens, as flat arrays.
    static func run(threads: Int) -> [[Float]] {
        BLAS.$threadsOverride.withValue(threads) {
            let (batch, channels, height, width) = (7, 16, 17, 19)
            let x = Parameter(name: "x", value: GradientTests.random([batch, 3, height, width], seed: 1))
            let w = Parameter(name: "w", value: GradientTests.random([channels, 3, 3, 3], seed: 2, scale: 0.3))
            let b = Parameter(name: "b", value: GradientTests.random([channels], seed: 3))
            let gamma = Parameter(name: "γ", value: GradientTests.random([channels], seed: 4))
            let beta = Parameter(name: "β", value: GradientTests.random([channels], seed: 5))
            let pointwise = Parameter(name: "w1", value: GradientTests.random([channels, channels, 1, 1], seed: 8, scale: 0.3))
            let tape = Tape()
            let h = tape.conv2d(tape.parameter(x), weight: tape.parameter(w), bias: tape.parameter(b), padding: 1)
            let normed = tape.groupNorm(h, groups: 4, gamma: tape.parameter(gamma), beta: tape.parameter(beta))
            let activated = tape.silu(normed)
            let tokens = tape.imageToTokens(activated)
            let image = tape.tokensToImage(tokens, batch: batch, height: height, width: width)
            let residual = tape.add(image, h)
            let mixed = tape.conv2d(residual, weight: tape.parameter(pointwise), bias: tape.parameter(b), padding: 0)
            let out = tape.conv2d(mixed, weight: tape.constant(GradientTests.random([2, channels, 3, 3], seed: 6, scale: 0.2)),
                                  bias: nil, padding: 1)
            let imageLoss = tape.meanSquaredError(out, tape.constant(GradientTests.random(tape.value(out).shape, seed: 7)))
            // A feed-forward branch on the tokens: GELU, then GEGLU.
            let smoothed = tape.gelu(tokens)
            let gated = tape.geglu(smoothed)
            let tokenLoss = tape.meanSquaredError(gated, tape.constant(GradientTests.random(tape.value(gated).shape, seed: 9)))
            let loss = tape.add(imageLoss, tokenLoss)
            tape.backward(from: loss)
            let nodes = [h, normed, activated, tokens, image, residual, mixed, out, smoothed, gated]
            let values = (nodes + [loss]).map { tape.value($0).values }
            let gradients = nodes.map { tape.gradient($0)?.values ?? [] }
            return values + gradients + [x, w, b, gamma, beta, pointwise].map { $0.gradient.values }
        }
    }

    @Test func splitRunsEqualOneThreadBitForBit() {
        #expect(7 * 16 * 17 * 19 >= Parts.parallelWork)
        let serial = Self.run(threads: 1)
        for threads in [2, 3] {
            let split = Self.run(threads: threads)
            for (index, (a, b)) in zip(split, serial).enumerated() {
                let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(a.count == b.count && differing == 0, "\(threads) threads, array \(index): \(differing) of \(b.count) elements differ")
            }
        }
    }

    /// The ranges cover 0..<count once, in order, and element ranges start at multiples of 16.
    @Test(arguments: [1, 2, 3]) func partsCoverTheRangeOnce(threads: Int) {
        let starts = Mutex<[Range<Int>]>([])
        Parts.elements(Parts.parallelWork + 37, threads: threads) { range in starts.withLock { $0.append(range) } }
        let ranges = starts.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(ranges.count == threads)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == Parts.parallelWork + 37)
        for (left, right) in zip(ranges, ranges.dropFirst()) { #expect(left.upperBound == right.lowerBound) }
        #expect(ranges.allSatisfy { $0.lowerBound % 16 == 0 })
    }
}
