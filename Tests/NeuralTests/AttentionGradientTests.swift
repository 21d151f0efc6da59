import Foundation
import Testing
@testable import Neural

/// The transformer and VAE operations (attention, token layout, GEGLU, cross-entropy,
/// embedding, products, reparameterized sampling, KL, L1) against finite differences of
/// their own Float32 forward passes, with `GradientTests.tolerance`; forward values against
/// Double references and closed forms; and one deliberately wrong backward per family,
/// which the check must miss by more than 100× the tolerance.
@Suite struct AttentionGradientTests {
    static let tolerance = GradientTests.tolerance
    typealias G = GradientTests

    // MARK: Attention

    /// Cross-attention shapes: batch 2, heads 2, Nq 3, Nk 4, D 4 (d = 2). Fresh tensors for
    /// every test: GradientCheck perturbs its leaves in place, and tests run in parallel.
    static var crossLeaves: [Tensor] { [G.random([6, 4], seed: 101), G.random([8, 4], seed: 102), G.random([8, 4], seed: 103)] }

    @Test func crossAttention() {
        let result = GradientCheck.compare(leaves: Self.crossLeaves) { tape, v in
            G.loss(tape, tape.attention(query: v[0], key: v[1], value: v[2], batch: 2, heads: 2), seed: 104)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// One variable as query, key and value: its three gradients add up.
    @Test func selfAttentionAccumulates() {
        let result = GradientCheck.compare(leaves: [G.random([6, 4], seed: 105)]) { tape, v in
            G.loss(tape, tape.attention(query: v[0], key: v[0], value: v[0], batch: 2, heads: 2), seed: 106)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// Keys and values from one context (the usual cross-attention call), the query a constant.
    @Test func sharedKeyAndValueWithConstantQuery() {
        let query = G.random([6, 4], seed: 107)
        let result = GradientCheck.compare(leaves: [G.random([8, 4], seed: 108)]) { tape, v in
            G.loss(tape, tape.attention(query: tape.constant(query), key: v[0], value: v[0], batch: 2, heads: 2), seed: 109)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// Sizes that reach every block of `SmallMatrix` (4-row blocks and single rows;
    /// 16-, 8- and 1-column blocks): batch 1, heads 2, Nq 5, Nk 9, D 48 (d = 24). With 240
    /// outputs the gradients are ~0.02 against L ≈ 2, so at the default step the Float32
    /// rounding of the differences (~1e-7·L/h) alone reaches 2e-4; step 0.2 brings it to
    /// 5e-5 (a Double finite-difference reference agrees with the backward to 2e-7).
    @Test func attentionThroughFullBlocks() {
        let leaves = [G.random([5, 48], seed: 113), G.random([9, 48], seed: 114), G.random([9, 48], seed: 115)]
        let result = GradientCheck.compare(leaves: leaves, step: 0.2) { tape, v in
            G.loss(tape, tape.attention(query: v[0], key: v[1], value: v[2], batch: 1, heads: 2), seed: 116)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// The output against softmax(QKᵀ/√d)·V computed in Double, head by head (Nq 9, Nk 21,
    /// d 24: full and partial blocks in every product).
    @Test func attentionForwardMatchesDoubleReference() {
        let batch = 2, heads = 2, queries = 9, keys = 21, width = 48, d = width / heads
        let q = G.random([batch * queries, width], seed: 110, scale: 0.5)
        let k = G.random([batch * keys, width], seed: 111, scale: 0.5)
        let v = G.random([batch * keys, width], seed: 112)
        let tape = Tape()
        let output = tape.value(tape.attention(query: tape.constant(q), key: tape.constant(k), value: tape.constant(v), batch: batch, heads: heads))
        #expect(output.shape == [batch * queries, width])
        var worst = 0.0
        for item in 0..<batch {
            for head in 0..<heads {
                for i in 0..<queries {
                    let qRow = (item * queries + i) * width + head * d
                    var scores = (0..<keys).map { j in
                        let kRow = (item * keys + j) * width + head * d
                        return (0..<d).reduce(0.0) { $0 + Double(q[qRow + $1]) * Double(k[kRow + $1]) } / Double(d).squareRoot()
                    }
                    let maximum = scores.max()!
                    scores = scores.map { Foundation.exp($0 - maximum) }
                    let sum = scores.reduce(0, +)
                    for c in 0..<d {
                        let expected = (0..<keys).reduce(0.0) { $0 + scores[$1] / sum * Double(v[(item * keys + $1) * width + head * d + c]) }
                        worst = max(worst, abs(Double(output[qRow + c]) - expected))
                    }
                }
            }
        }
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    /// `SmallMatrix.multiply` against a Double product: A plain and transposed (strides
    /// swapped), padded row strides, α, β = 0 over NaN (never read) and β = 1.
    @Test(arguments: [(9, 37, 5), (4, 16, 3), (1, 8, 2), (5, 4, 6), (7, 3, 11), (13, 25, 40)])
    func smallMatrixProduct(m: Int, n: Int, k: Int) {
        let stored = G.random([m * k], seed: 117), b = G.random([k * (n + 3)], seed: 118), start = G.random([m * (n + 2)], seed: 119)
        for transposed in [false, true] {
            for beta: Float in [0, 1] {
                let c = Tensor(zeros: [m * (n + 2)])
                for index in 0..<c.count { c[index] = beta == 0 ? .nan : start[index] }
                // A (i, p) at i·k + p, or, stored transposed, at p·m + i.
                let (rowStride, columnStride) = transposed ? (1, m) : (k, 1)
                SmallMatrix.multiply(m: m, n: n, k: k, alpha: 0.5, a: stored.pointer, rowStride: rowStride, columnStride: columnStride,
                                     b: b.pointer, ldb: n + 3, beta: beta, c: c.pointer, ldc: n + 2)
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0
                        for p in 0..<k { sum += Double(stored[i * rowStride + p * columnStride]) * Double(b[p * (n + 3) + j]) }
                        let expected = 0.5 * sum + Double(beta) * Double(start[i * (n + 2) + j])
                        worst = max(worst, abs(Double(c[i * (n + 2) + j]) - expected))
                    }
                }
                #expect(worst < 1e-5, "m \(m) n \(n) k \(k) transposed \(transposed) β \(beta): \(worst)")
            }
        }
    }

    /// Inference (no recording) gives the same output as training mode.
    @Test func attentionInferenceMatchesRecording() {
        let leaves = Self.crossLeaves
        let (q, k, v) = (leaves[0], leaves[1], leaves[2])
        func run(_ recording: Bool) -> [Float] {
            let tape = Tape()
            tape.isRecording = recording
            return tape.value(tape.attention(query: tape.constant(q), key: tape.constant(k), value: tape.constant(v), batch: 2, heads: 2)).values
        }
        #expect(run(true) == run(false))
    }

    /// A layer large enough to be split between processors (batch 4, heads 2, 64 tokens,
    /// D 64) gives bit for bit the output and gradients of four one-item calls (which run on
    /// one thread), in training and in inference.
    @Test func workersGiveThePerItemResults() {
        let (batch, tokens, width) = (4, 64, 64)
        let leaves = [G.random([batch * tokens, width], seed: 190), G.random([batch * tokens, width], seed: 191), G.random([batch * tokens, width], seed: 192)]
        let upstream = G.random([batch * tokens, width], seed: 193)
        func run(items: Range<Int>, recording: Bool) -> (output: [Float], gradients: [[Float]]) {
            let rows = items.lowerBound * tokens * width ..< items.upperBound * tokens * width
            let parameters = leaves.enumerated().map { index, leaf in
                Parameter(name: "leaf\(index)", value: Tensor(shape: [items.count * tokens, width], values: Array(leaf.values[rows])))
            }
            let tape = Tape()
            tape.isRecording = recording
            let v = parameters.map { tape.parameter($0) }
            let y = tape.attention(query: v[0], key: v[1], value: v[2], batch: items.count, heads: 2)
            if recording { tape.backward(from: tape.seededLoss(y, upstream: Array(upstream.values[rows]))) }
            return (tape.value(y).values, parameters.map { $0.gradient.values })
        }
        #expect(Tape.attentionWorkers(units: batch * 2, work: tokens * tokens * (width / 2), threads: 2) == 2)
        #expect(Tape.attentionWorkers(units: 1 * 8, work: 4096 * 4096 * 40, threads: 2) == 2, "one 64×64 SD image, eight heads: both threads")
        let whole = run(items: 0..<batch, recording: true)
        let parts = (0..<batch).map { run(items: $0..<$0 + 1, recording: true) }
        #expect(whole.output == parts.flatMap(\.output))
        for leaf in 0..<3 { #expect(whole.gradients[leaf] == parts.flatMap { $0.gradients[leaf] }, "leaf \(leaf)") }
        #expect(run(items: 0..<batch, recording: false).output == whole.output)
    }

    /// The mutation: the softmax backward without its −rowsum(P ⊙ ∂L/∂P) term is caught.
    @Test func attentionWithoutSoftmaxRowSumIsRejected() {
        let result = GradientCheck.compare(leaves: Self.crossLeaves) { tape, v in
            G.loss(tape, tape.attention(query: v[0], key: v[1], value: v[2], batch: 2, heads: 2, mutation: .softmaxBackwardWithoutRowSum), seed: 104)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: Token layout

    @Test func imageToTokens() {
        let result = GradientCheck.compare(leaves: [G.random([2, 3, 2, 4], seed: 120)]) { tape, v in
            G.loss(tape, tape.imageToTokens(v[0]), seed: 121)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    @Test func tokensToImage() {
        let result = GradientCheck.compare(leaves: [G.random([2 * 2 * 3, 5], seed: 122)]) { tape, v in
            G.loss(tape, tape.tokensToImage(v[0], batch: 2, height: 2, width: 3), seed: 123)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// Row b·H·W + h·W + w, column c holds x[b, c, h, w], and tokensToImage undoes it
    /// (sizes above the 16-element transpose tile).
    @Test func tokenLayoutAndRoundTrip() {
        let (batch, channels, height, width) = (2, 19, 3, 7)
        let x = G.random([batch, channels, height, width], seed: 124)
        let tape = Tape()
        let tokens = tape.imageToTokens(tape.constant(x))
        let t = tape.value(tokens)
        #expect(t.shape == [batch * height * width, channels])
        var mismatches = 0
        for b in 0..<batch {
            for c in 0..<channels {
                for h in 0..<height {
                    for w in 0..<width where t[(b * height * width + h * width + w) * channels + c] != x[((b * channels + c) * height + h) * width + w] {
                        mismatches += 1
                    }
                }
            }
        }
        #expect(mismatches == 0)
        let back = tape.value(tape.tokensToImage(tokens, batch: batch, height: height, width: width))
        #expect(back.shape == x.shape && back.values == x.values)
    }

    /// The mutation: a backward that reshapes ∂L/∂y instead of transposing it is caught.
    @Test func tokensBackwardWithoutTransposeIsRejected() {
        let result = GradientCheck.compare(leaves: [G.random([2, 3, 2, 4], seed: 120)]) { tape, v in
            G.loss(tape, tape.wrongImageToTokens(v[0]), seed: 121)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: GEGLU

    @Test func geglu() {
        let result = GradientCheck.compare(leaves: [G.random([3, 8], seed: 130, scale: 2)]) { tape, v in
            G.loss(tape, tape.geglu(v[0]), seed: 131)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// y = a ⊙ GELU(g) equals the product of the halves with the `gelu` op's output.
    @Test func gegluIsValueTimesGELUOfGate() {
        let x = G.random([3, 8], seed: 132, scale: 2)
        let tape = Tape()
        let y = tape.value(tape.geglu(tape.constant(x)))
        let a = Tensor(zeros: [3, 4]), g = Tensor(zeros: [3, 4])
        for row in 0..<3 {
            for column in 0..<4 {
                a[row * 4 + column] = x[row * 8 + column]
                g[row * 4 + column] = x[row * 8 + 4 + column]
            }
        }
        let gelu = tape.value(tape.gelu(tape.constant(g)))
        #expect(y.shape == [3, 4])
        #expect((0..<12).allSatisfy { y[$0] == a[$0] * gelu[$0] })
    }

    /// The mutation: GELU′(g) taken as Φ(g), the g·φ(g) term dropped, is caught.
    @Test func gegluWithoutDensityTermIsRejected() {
        let result = GradientCheck.compare(leaves: [G.random([3, 8], seed: 130, scale: 2)]) { tape, v in
            G.loss(tape, tape.wrongGEGLU(v[0]), seed: 131)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: Cross-entropy

    static let labels = [2, 0, 3, 3, 1]

    @Test func softmaxCrossEntropy() {
        let result = GradientCheck.compare(leaves: [G.random([5, 4], seed: 140, scale: 2)]) { tape, v in
            tape.softmaxCrossEntropy(logits: v[0], labels: Self.labels)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// Equal logits give every class 1/K, so the loss is ln K whatever the labels.
    @Test func uniformLogitsGiveLogK() {
        let classes = 7
        let tape = Tape()
        let logits = tape.constant(Tensor(shape: [3, classes], values: [Float](repeating: 0.7, count: 3 * classes)))
        let loss = tape.value(tape.softmaxCrossEntropy(logits: logits, labels: [0, 6, 3]))[0]
        #expect(abs(Double(loss) - Foundation.log(Double(classes))) < 1e-6)
    }

    /// Large logits do not overflow: the row maximum is subtracted.
    @Test func crossEntropyIsStableForLargeLogits() {
        let tape = Tape()
        let logits = tape.constant(Tensor(shape: [1, 3], values: [1000, 1000 - Float(Foundation.log(2.0)), -1000]))
        let loss = tape.value(tape.softmaxCrossEntropy(logits: logits, labels: [1]))[0]
        // p = (2/3, 1/3, 0): −log(1/3).
        #expect(abs(Double(loss) - Foundation.log(3.0)) < 1e-4)
    }

    /// The mutation: a backward without the 1/n of the mean over rows is caught.
    @Test func crossEntropyWithoutMeanIsRejected() {
        let result = GradientCheck.compare(leaves: [G.random([5, 4], seed: 140, scale: 2)]) { tape, v in
            tape.wrongSoftmaxCrossEntropy(logits: v[0], labels: Self.labels)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: Embedding

    /// Index 2 is looked up twice: its row gathers both gradients.
    static let indices = [2, 0, 2, 4]

    @Test func embedding() {
        let result = GradientCheck.compare(leaves: [G.random([5, 3], seed: 150)]) { tape, v in
            G.loss(tape, tape.embedding(table: v[0], indices: Self.indices), seed: 151)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// The mutation: a backward that writes instead of adding loses one of the two uses.
    @Test func embeddingOverwritingBackwardIsRejected() {
        let result = GradientCheck.compare(leaves: [G.random([5, 3], seed: 150)]) { tape, v in
            G.loss(tape, tape.wrongEmbedding(table: v[0], indices: Self.indices), seed: 151)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: Products

    @Test func multiply() {
        let result = GradientCheck.compare(leaves: [G.random([3, 4], seed: 160), G.random([3, 4], seed: 161)]) { tape, v in
            G.loss(tape, tape.multiply(v[0], v[1]), seed: 162)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// multiply(x, x) = x²: both factors' gradients land on x.
    @Test func multiplySquareAccumulates() {
        let result = GradientCheck.compare(leaves: [G.random([3, 4], seed: 163)]) { tape, v in
            G.loss(tape, tape.multiply(v[0], v[0]), seed: 164)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    @Test func scale() {
        let result = GradientCheck.compare(leaves: [G.random([3, 4], seed: 165)]) { tape, v in
            G.loss(tape, tape.scale(v[0], by: -1.7), seed: 166)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// The mutation: each factor's gradient scaled by itself instead of the other factor is caught.
    @Test func multiplyWithSwappedFactorsIsRejected() {
        let result = GradientCheck.compare(leaves: [G.random([3, 4], seed: 160), G.random([3, 4], seed: 161)]) { tape, v in
            G.loss(tape, tape.wrongMultiply(v[0], v[1]), seed: 162)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: VAE sampling and KL

    static var noise: Tensor { G.random([2, 3], seed: 172) }

    @Test func gaussianSample() {
        let result = GradientCheck.compare(leaves: [G.random([2, 3], seed: 170), G.random([2, 3], seed: 171)]) { tape, v in
            G.loss(tape, tape.gaussianSample(mean: v[0], logVariance: v[1], noise: Self.noise), seed: 173)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    @Test func klToStandardNormal() {
        let result = GradientCheck.compare(leaves: [G.random([2, 3], seed: 174), G.random([2, 3], seed: 175)]) { tape, v in
            tape.klToStandardNormal(mean: v[0], logVariance: v[1])
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// KL(N(0, 1) ‖ N(0, 1)) = 0; and by hand, for batch 2 with μ = (1, 0 | 0, 2) and
    /// log σ² = (0, ln 2 | 0, 0): ½[(1 + 1 − 1) + (2 − 1 − ln 2) + 0 + (4 + 1 − 1)]/2 = (3 − ½ ln 2)/2.
    @Test func klClosedForm() {
        let tape = Tape()
        let zero = tape.constant(Tensor(zeros: [3, 4]))
        #expect(abs(tape.value(tape.klToStandardNormal(mean: zero, logVariance: zero))[0]) < 1e-7)
        let mean = tape.constant(Tensor(shape: [2, 2], values: [1, 0, 0, 2]))
        let logVariance = tape.constant(Tensor(shape: [2, 2], values: [0, Float(Foundation.log(2.0)), 0, 0]))
        let kl = tape.value(tape.klToStandardNormal(mean: mean, logVariance: logVariance))[0]
        #expect(abs(Double(kl) - (3 - 0.5 * Foundation.log(2.0)) / 2) < 1e-6)
    }

    /// log σ² outside [−30, 20] is clamped in the forward and passes no gradient.
    @Test func logVarianceClampStopsGradient() {
        let mean = Parameter(name: "mean", value: Tensor(shape: [1, 3], values: [0.5, 0.5, 0.5]))
        let logVariance = Parameter(name: "logVariance", value: Tensor(shape: [1, 3], values: [25, -35, 1]))
        let noise = Tensor(shape: [1, 3], values: [1, 1, 1])
        let tape = Tape()
        let m = tape.parameter(mean), l = tape.parameter(logVariance)
        let z = tape.gaussianSample(mean: m, logVariance: l, noise: noise)
        let sample = tape.value(z)
        #expect(abs(Double(sample[0]) - (0.5 + Foundation.exp(10.0))) < 1e-6 * Foundation.exp(10.0))
        #expect(abs(Double(sample[1]) - (0.5 + Foundation.exp(-15.0))) < 1e-7)
        let kl = tape.klToStandardNormal(mean: m, logVariance: l)
        let klValue = Double(tape.value(kl)[0])
        let expected = 0.5 * ((0.25 + Foundation.exp(20.0) - 1 - 20) + (0.25 + Foundation.exp(-30.0) - 1 + 30) + (0.25 + Foundation.exp(1.0) - 1 - 1))
        #expect(abs(klValue - expected) < 1e-6 * expected)
        tape.backward(from: tape.add(tape.meanSquaredError(z, tape.constant(Tensor(zeros: [1, 3]))), kl))
        #expect(logVariance.gradient[0] == 0 && logVariance.gradient[1] == 0 && logVariance.gradient[2] != 0)
    }

    /// The mutation: ∂z/∂log σ² = σ ⊙ ε without the ½ is caught.
    @Test func gaussianSampleWithoutHalfIsRejected() {
        let result = GradientCheck.compare(leaves: [G.random([2, 3], seed: 170), G.random([2, 3], seed: 171)]) { tape, v in
            G.loss(tape, tape.wrongGaussianSample(mean: v[0], logVariance: v[1], noise: Self.noise), seed: 173)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: L1 loss

    /// A target at least 0.3 from the prediction in every element, so that no finite-
    /// difference step (≤ 0.05) crosses the kink of |p − t|.
    static var l1Leaves: [Tensor] {
        let prediction = G.random([4, 3], seed: 180), offsets = G.random([4, 3], seed: 181)
        let target = Tensor(zeros: [4, 3])
        for index in 0..<12 {
            let offset = offsets[index]
            target[index] = prediction[index] + (offset < 0 ? offset - 0.3 : offset + 0.3)
        }
        return [prediction, target]
    }

    @Test func meanAbsoluteError() {
        let leaves = Self.l1Leaves
        let result = GradientCheck.compare(leaves: leaves) { tape, v in tape.meanAbsoluteError(v[0], v[1]) }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        let tape = Tape()
        let value = tape.value(tape.meanAbsoluteError(tape.constant(leaves[0]), tape.constant(leaves[1])))[0]
        let expected = (0..<12).reduce(0.0) { $0 + abs(Double(leaves[0][$1]) - Double(leaves[1][$1])) } / 12
        #expect(abs(Double(value) - expected) < 1e-6)
    }

    /// The mutation: a backward of 1/N whatever the sign of p − t is caught.
    @Test func meanAbsoluteErrorWithoutSignIsRejected() {
        let result = GradientCheck.compare(leaves: Self.l1Leaves) { tape, v in tape.wrongMeanAbsoluteError(v[0], v[1]) }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }
}

extension Tape {
    /// A scalar whose gradient into y is `upstream` (L = Σ y ⊙ u without computing it).
    fileprivate func seededLoss(_ y: Variable, upstream: [Float]) -> Variable {
        let output = scratch([1])
        output[0] = 0
        return record(output) { tape, dy in
            let dx = tape.gradientToAccumulate(y)
            for index in 0..<dx.count { dx[index] += dy[0] * upstream[index] }
        }
    }
}

/// Deliberately wrong backwards for the mutation tests above. Each reuses the real op's
/// forward value (the real node receives no gradient, so its own backward never runs) and
/// records a copy with the faulty backward.
extension Tape {
    fileprivate func copyOf(_ variable: Variable) -> Tensor {
        let source = value(variable)
        let output = scratch(source.shape)
        output.copy(from: source)
        return output
    }

    /// ∂L/∂x taken as ∂L/∂y reshaped, not transposed.
    fileprivate func wrongImageToTokens(_ x: Variable) -> Variable {
        record(copyOf(imageToTokens(x))) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            for index in 0..<dx.count { dx[index] += dy[index] }
        }
    }

    /// GELU′(g) taken as Φ(g).
    fileprivate func wrongGEGLU(_ x: Variable) -> Variable {
        let input = value(x), half = input.columns / 2, rows = input.rows
        return record(copyOf(geglu(x))) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            for row in 0..<rows {
                for column in 0..<half {
                    let a = input[row * 2 * half + column], g = input[row * 2 * half + half + column], upstream = dy[row * half + column]
                    dx[row * 2 * half + column] += upstream * g * Self.normalCDF(g)
                    dx[row * 2 * half + half + column] += upstream * a * Self.normalCDF(g)
                }
            }
        }
    }

    /// softmax − onehot without the 1/n.
    fileprivate func wrongSoftmaxCrossEntropy(logits: Variable, labels: [Int]) -> Variable {
        let z = value(logits), classes = z.columns
        return record(copyOf(softmaxCrossEntropy(logits: logits, labels: labels))) { tape, dy in
            let dx = tape.gradientToAccumulate(logits)
            for (row, label) in labels.enumerated() {
                let p = UnsafeMutablePointer<Float>.allocate(capacity: classes)
                defer { p.deallocate() }
                p.update(from: z.pointer + row * classes, count: classes)
                Self.softmaxRows(p, rows: 1, columns: classes)
                for column in 0..<classes { dx[row * classes + column] += dy[0] * (p[column] - (column == label ? 1 : 0)) }
            }
        }
    }

    /// The gathered rows' gradients written, not added.
    fileprivate func wrongEmbedding(table: Variable, indices: [Int]) -> Variable {
        let width = value(table).columns
        return record(copyOf(embedding(table: table, indices: indices))) { tape, dy in
            let dx = tape.gradientToAccumulate(table)
            for (row, index) in indices.enumerated() {
                for column in 0..<width { dx[index * width + column] = dy[row * width + column] }
            }
        }
    }

    /// ∂L/∂a += ∂L/∂y ⊙ a and ∂L/∂b += ∂L/∂y ⊙ b: each factor's own value.
    fileprivate func wrongMultiply(_ a: Variable, _ b: Variable) -> Variable {
        record(copyOf(multiply(a, b))) { tape, dy in
            for input in [a, b] {
                let own = tape.value(input), dx = tape.gradientToAccumulate(input)
                for index in 0..<dx.count { dx[index] += dy[index] * own[index] }
            }
        }
    }

    /// ∂z/∂log σ² = σ ⊙ ε, the ½ of σ = exp(½ log σ²) forgotten.
    fileprivate func wrongGaussianSample(mean: Variable, logVariance: Variable, noise: Tensor) -> Variable {
        let l = value(logVariance)
        return record(copyOf(gaussianSample(mean: mean, logVariance: logVariance, noise: noise))) { tape, dy in
            let dm = tape.gradientToAccumulate(mean), dl = tape.gradientToAccumulate(logVariance)
            for index in 0..<dm.count {
                dm[index] += dy[index]
                dl[index] += dy[index] * Foundation.exp(0.5 * l[index]) * noise[index]
            }
        }
    }

    /// ∂L/∂p = 1/N and ∂L/∂t = −1/N whatever the sign of p − t.
    fileprivate func wrongMeanAbsoluteError(_ prediction: Variable, _ target: Variable) -> Variable {
        let count = value(prediction).count
        return record(copyOf(meanAbsoluteError(prediction, target))) { tape, dy in
            for (input, sign) in [(prediction, Float(1)), (target, Float(-1))] {
                let dx = tape.gradientToAccumulate(input)
                for index in 0..<count { dx[index] += sign * dy[0] / Float(count) }
            }
        }
    }
}
