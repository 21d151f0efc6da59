import Stochastic
import Testing
@testable import Neural

/// The image operations of the U-Net (conv2d, groupNorm, layerNorm, upsampling, channel
/// concatenation, per-channel bias, dropout, reshape, global average pooling): every
/// backward against Richardson-extrapolated finite differences (GradientCheck, tolerance
/// `GradientTests.tolerance`), the forward passes of conv2d and groupNorm against direct
/// Double computations, and one deliberately wrong backward per family that the check
/// rejects by more than 100× the tolerance.
@Suite struct ImageLayerGradientTests {
    static let tolerance = GradientTests.tolerance
    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor { GradientTests.random(shape, seed: seed, scale: scale) }
    static func loss(_ tape: Tape, _ y: Variable, seed: UInt64) -> Variable { GradientTests.loss(tape, y, seed: seed) }

    // MARK: conv2d

    struct ConvCase: Sendable, CustomStringConvertible {
        let input: [Int], weight: [Int], stride: Int, padding: Int, bias: Bool
        /// Small enough to split the batch into chunks of one or two samples.
        var columnBudget = ConvolutionGeometry.defaultColumnBudget
        var description: String { "x \(input) w \(weight) s\(stride) p\(padding)\(bias ? "" : " no bias") budget \(columnBudget)" }
    }

    static let convCases: [ConvCase] = [
        ConvCase(input: [2, 3, 5, 5], weight: [4, 3, 3, 3], stride: 1, padding: 1, bias: true),
        ConvCase(input: [2, 3, 5, 6], weight: [4, 3, 3, 3], stride: 2, padding: 1, bias: true),
        ConvCase(input: [2, 3, 4, 3], weight: [5, 3, 1, 1], stride: 1, padding: 0, bias: true),
        ConvCase(input: [1, 2, 4, 5], weight: [3, 2, 2, 3], stride: 1, padding: 0, bias: false),
        ConvCase(input: [1, 2, 7, 4], weight: [2, 2, 3, 3], stride: 3, padding: 2, bias: true),
        ConvCase(input: [2, 3, 4, 4], weight: [2, 3, 1, 1], stride: 2, padding: 1, bias: true),
        ConvCase(input: [3, 2, 4, 5], weight: [3, 2, 3, 3], stride: 1, padding: 1, bias: true, columnBudget: 2 * 18 * 20),
        ConvCase(input: [3, 2, 5, 4], weight: [3, 2, 3, 3], stride: 2, padding: 1, bias: true, columnBudget: 1),
        // Lines of 11 pixels (one SIMD8 step, then 3 single floats) and a padding of 2.
        ConvCase(input: [2, 2, 3, 11], weight: [3, 2, 3, 3], stride: 1, padding: 1, bias: true),
        ConvCase(input: [1, 2, 5, 9], weight: [2, 2, 3, 3], stride: 1, padding: 2, bias: false),
    ]

    @Test(arguments: convCases) func conv2d(_ c: ConvCase) {
        var leaves = [Self.random(c.input, seed: 101), Self.random(c.weight, seed: 102, scale: 0.5)]
        if c.bias { leaves.append(Self.random([c.weight[0]], seed: 103)) }
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            let y = tape.conv2d(v[0], weight: v[1], bias: c.bias ? v[2] : nil, stride: c.stride, padding: c.padding, columnBudget: c.columnBudget)
            return Self.loss(tape, y, seed: 104)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(c): \(result)")
    }

    /// y[b, o, i, j] = bias[o] + Σ w[o, c, u, v]·x[b, c, s·i − p + u, s·j − p + v] in Double.
    static func naiveConvolution(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride: Int, padding: Int) -> (shape: [Int], values: [Double]) {
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (outputs, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (height + 2 * padding - kh) / stride + 1, ow = (width + 2 * padding - kw) / stride + 1
        var y = [Double](repeating: 0, count: batch * outputs * oh * ow)
        for b in 0..<batch {
            for o in 0..<outputs {
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = bias.map { Double($0[o]) } ?? 0
                        for c in 0..<channels {
                            for u in 0..<kh {
                                for v in 0..<kw {
                                    let r = stride * i - padding + u, q = stride * j - padding + v
                                    guard r >= 0 && r < height && q >= 0 && q < width else { continue }
                                    sum += Double(w[((o * channels + c) * kh + u) * kw + v]) * Double(x[((b * channels + c) * height + r) * width + q])
                                }
                            }
                        }
                        y[((b * outputs + o) * oh + i) * ow + j] = sum
                    }
                }
            }
        }
        return ([batch, outputs, oh, ow], y)
    }

    @Test(arguments: convCases) func conv2dForwardMatchesNaiveLoop(_ c: ConvCase) {
        let x = Self.random(c.input, seed: 105), w = Self.random(c.weight, seed: 106), b = Self.random([c.weight[0]], seed: 107)
        let tape = Tape()
        let y = tape.value(tape.conv2d(tape.constant(x), weight: tape.constant(w), bias: c.bias ? tape.constant(b) : nil,
                                       stride: c.stride, padding: c.padding, columnBudget: c.columnBudget))
        let expected = Self.naiveConvolution(x, w, c.bias ? b : nil, stride: c.stride, padding: c.padding)
        #expect(y.shape == expected.shape)
        let worst = zip(y.values, expected.values).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 1e-5, "\(c): largest difference \(worst)")
    }

    /// The default budget cuts a batch of 64 samples of [64, 8, 8] under a 3×3 kernel into
    /// chunks (28 + 28 + 8 samples); the forward pass still equals the direct sum.
    @Test func conv2dForwardAcrossDefaultChunks() {
        let x = Self.random([64, 64, 8, 8], seed: 108), w = Self.random([8, 64, 3, 3], seed: 109, scale: 0.1)
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: 1, padding: 1)
        #expect(g.batchChunk > 1 && g.batchChunk < 64)
        let tape = Tape()
        let y = tape.value(tape.conv2d(tape.constant(x), weight: tape.constant(w), bias: nil, padding: 1))
        let expected = Self.naiveConvolution(x, w, nil, stride: 1, padding: 1)
        let worst = zip(y.values, expected.values).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    /// Backward on shapes large enough for im2col/col2im to split channels across threads
    /// and for the batch to be cut into uneven chunks, against the adjoint sums in Double:
    /// ∂L/∂x[b, c, r, q] = Σ g[b, o, i, j]·w[o, c, u, v] over s·i − p + u = r, s·j − p + v = q,
    /// ∂L/∂w[o, c, u, v] = Σ g[b, o, i, j]·x[b, c, s·i − p + u, s·j − p + v], ∂L/∂bias[o] = Σ g.
    /// With a trainable weight forward keeps X̂ for backward; with a constant one backward
    /// rebuilds X̂ per chunk (and ∂L/∂w is not computed). Stride 1 with padding 1 runs through
    /// Winograd F(2×2, 3×3) (both cases with the weight, chunks of 4 and 1 samples there);
    /// stride 1 with padding 0 and 2 takes ∂L/∂x from the adjoint convolution (padding 2 and
    /// 0); stride 2 from col2im.
    @Test(arguments: [(1, 1, true), (2, 1, true), (1, 1, false), (2, 1, false), (1, 0, true), (1, 2, true)])
    func conv2dBackwardMatchesAdjointSums(stride: Int, padding: Int, trainableWeight: Bool) {
        let (batch, channels, height, width, outputs, k) = (5, 16, 24, 20, 6, 3)
        let g = ConvolutionGeometry(input: [2, channels, height, width], weight: [outputs, channels, k, k], stride: stride, padding: padding)
        #expect(g.columnRows * 2 * g.outputPlane >= ConvolutionGeometry.parallelWork)
        let budget = 2 * g.columnRows * g.outputPlane  // chunks of 2, 2, 1 samples
        let x = Parameter(name: "x", value: Self.random([batch, channels, height, width], seed: 118))
        let w = Parameter(name: "w", value: Self.random([outputs, channels, k, k], seed: 119))
        let b = Parameter(name: "b", value: Self.random([outputs], seed: 120))
        let tape = Tape()
        let weight = trainableWeight ? tape.parameter(w) : tape.constant(w.value)
        let y = tape.conv2d(tape.parameter(x), weight: weight, bias: tape.parameter(b), stride: stride, padding: padding, columnBudget: budget)
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let upstream = Self.random(tape.value(y).shape, seed: 121)
        // L = Σ y·upstream, so ∂L/∂y = upstream.
        let product = tape.scratch([1])
        product[0] = zip(tape.value(y).values, upstream.values).map { $0 * $1 }.reduce(0, +)
        let loss = tape.record(product) { tape, dy in
            let target = tape.gradientToAccumulate(y)
            for index in 0..<upstream.count { target[index] += dy[0] * upstream[index] }
        }
        tape.backward(from: loss)

        var dx = [Double](repeating: 0, count: x.value.count), dw = [Double](repeating: 0, count: w.value.count), db = [Double](repeating: 0, count: outputs)
        for n in 0..<batch {
            for o in 0..<outputs {
                for i in 0..<oh {
                    for j in 0..<ow {
                        let gradient = Double(upstream[((n * outputs + o) * oh + i) * ow + j])
                        db[o] += gradient
                        for c in 0..<channels {
                            for u in 0..<k {
                                for v in 0..<k {
                                    let r = stride * i - padding + u, q = stride * j - padding + v
                                    guard r >= 0 && r < height && q >= 0 && q < width else { continue }
                                    let wi = ((o * channels + c) * k + u) * k + v, xi = ((n * channels + c) * height + r) * width + q
                                    dx[xi] += gradient * Double(w.value[wi])
                                    dw[wi] += gradient * Double(x.value[xi])
                                }
                            }
                        }
                    }
                }
            }
        }
        if !trainableWeight { #expect(w.gradient.values.allSatisfy { $0 == 0 }) }
        for (analytic, exact) in [(x.gradient, dx), (b.gradient, db)] + (trainableWeight ? [(w.gradient, dw)] : []) {
            let scale = exact.map(abs).max() ?? 1
            let worst = zip(analytic.values, exact).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-5 * scale, "largest difference \(worst) of \(scale)")
        }
    }

    /// A second step on the same tape (pooled, dirty memory) gives bit-identical gradients,
    /// through im2col (stride 2) and through Winograd (stride 1), both in chunks.
    @Test(arguments: [2, 1]) func conv2dReusesPooledMemoryCleanly(stride: Int) {
        let x = Parameter(name: "x", value: Self.random([3, 2, 5, 4], seed: 110))
        let w = Parameter(name: "w", value: Self.random([3, 2, 3, 3], seed: 111))
        let b = Parameter(name: "b", value: Self.random([3], seed: 112))
        let tape = Tape()
        var gradients: [[Float]] = []
        for _ in 0..<2 {
            for p in [x, w, b] { p.zeroGradient() }
            let y = tape.conv2d(tape.parameter(x), weight: tape.parameter(w), bias: tape.parameter(b), stride: stride, padding: 1, columnBudget: 40)
            tape.backward(from: Self.loss(tape, y, seed: 113))
            gradients.append([x, w, b].flatMap { $0.gradient.values })
            tape.reset()
        }
        #expect(gradients[0] == gradients[1])
    }

    @Test func conv2dWithoutPaddingOffsetIsRejected() {
        let leaves = [Self.random([2, 2, 5, 5], seed: 114), Self.random([3, 2, 3, 3], seed: 115, scale: 0.5), Self.random([3], seed: 116)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            Self.loss(tape, tape.conv2dForgettingPaddingInBackward(v[0], weight: v[1], bias: v[2], padding: 1), seed: 117)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: groupNorm and layerNorm

    /// x has scale 0.5: ∂L/∂x is proportional to 1/σ, so a small σ keeps it large against
    /// the Float32 rounding of L. (With scale 2 the worst error rises to 3e-4 and grows as
    /// the step shrinks: rounding in the finite differences, not the backward, which
    /// `groupNormBackwardMatchesDoubleFormula` checks without differences.)
    @Test(arguments: [1, 2, 3, 6]) func groupNorm(groups: Int) {
        let leaves = [Self.random([2, 6, 3, 2], seed: 201, scale: 0.5), Self.random([6], seed: 202), Self.random([6], seed: 203)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            Self.loss(tape, tape.groupNorm(v[0], groups: groups, gamma: v[1], beta: v[2]), seed: 204)
        }
        #expect(result.maxRelativeError < Self.tolerance, "groups \(groups): \(result)")
    }

    /// Spatial sizes not a multiple of the SIMD width, a 1-D "image", and a shifted mean.
    @Test func groupNormOddSizes() {
        var x = Self.random([2, 4, 13], seed: 205, scale: 0.5)
        for index in 0..<x.count { x[index] += 3 }
        let result = GradientCheck.compare(leaves: [x, Self.random([4], seed: 206), Self.random([4], seed: 207)]) { tape, v in
            Self.loss(tape, tape.groupNorm(v[0], groups: 2, gamma: v[1], beta: v[2]), seed: 208)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        x = Self.random([1, 2, 3, 3], seed: 209, scale: 0.5)
        let square = GradientCheck.compare(leaves: [x, Self.random([2], seed: 210), Self.random([2], seed: 211)]) { tape, v in
            Self.loss(tape, tape.groupNorm(v[0], groups: 1, gamma: v[1], beta: v[2]), seed: 212)
        }
        #expect(square.maxRelativeError < Self.tolerance, "\(square)")
    }

    /// Before the affine map each (sample, group) has mean 0 and biased variance σ²/(σ² + ε),
    /// and the output equals γ·(x − μ)/√(σ² + ε) + β computed in Double.
    @Test(arguments: [1, 2, 4]) func groupNormForwardMatchesDirectComputation(groups: Int) {
        let (batch, channels, spatial) = (3, 4, 20)
        let x = Self.random([batch, channels, 4, 5], seed: 213, scale: 3)
        for index in 0..<x.count { x[index] += 1.5 }
        let gamma = Self.random([channels], seed: 214), beta = Self.random([channels], seed: 215)
        let tape = Tape()
        let plain = tape.value(tape.groupNorm(tape.constant(x), groups: groups, gamma: tape.constant(Tensor(shape: [channels], values: [Float](repeating: 1, count: channels))), beta: tape.constant(Tensor(zeros: [channels]))))
        let y = tape.value(tape.groupNorm(tape.constant(x), groups: groups, gamma: tape.constant(gamma), beta: tape.constant(beta)))
        let perGroup = channels / groups, m = perGroup * spatial
        for b in 0..<batch {
            for group in 0..<groups {
                let start = (b * channels + group * perGroup) * spatial
                let values = (start..<start + m).map { Double(x[$0]) }
                let mean = values.reduce(0, +) / Double(m)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(m)
                let normalized = (start..<start + m).map { Double(plain[$0]) }
                let normalizedMean = normalized.reduce(0, +) / Double(m)
                let normalizedVariance = normalized.map { ($0 - normalizedMean) * ($0 - normalizedMean) }.reduce(0, +) / Double(m)
                #expect(abs(normalizedMean) < 1e-5)
                #expect(abs(normalizedVariance - variance / (variance + 1e-5)) < 1e-5)
                for index in start..<start + m {
                    let c = index / spatial % channels
                    let expected = Double(gamma[c]) * (Double(x[index]) - mean) / (variance + 1e-5).squareRoot() + Double(beta[c])
                    #expect(abs(Double(y[index]) - expected) < 1e-5 * max(1, abs(expected)), "b \(b) group \(group) index \(index)")
                }
            }
        }
    }

    /// ∂L/∂x, ∂L/∂γ, ∂L/∂β for a given ∂L/∂y against the formula evaluated in Double, on
    /// groups longer than the SIMD width with a remainder (100 and 25 values).
    @Test(arguments: [1, 4]) func groupNormBackwardMatchesDoubleFormula(groups: Int) {
        let (batch, channels, spatial) = (2, 4, 25)
        let x = Parameter(name: "x", value: Self.random([batch, channels, 5, 5], seed: 224, scale: 2))
        let gamma = Parameter(name: "g", value: Self.random([channels], seed: 225)), beta = Parameter(name: "b", value: Self.random([channels], seed: 226))
        let upstream = Self.random([batch, channels, 5, 5], seed: 227)
        let tape = Tape()
        let y = tape.groupNorm(tape.parameter(x), groups: groups, gamma: tape.parameter(gamma), beta: tape.parameter(beta))
        let total = tape.scratch([1])
        total[0] = 0
        let loss = tape.record(total) { tape, dy in
            let target = tape.gradientToAccumulate(y)
            for index in 0..<upstream.count { target[index] += dy[0] * upstream[index] }
        }
        tape.backward(from: loss)

        let perGroup = channels / groups, m = perGroup * spatial
        var dx = [Double](repeating: 0, count: x.value.count), dgamma = [Double](repeating: 0, count: channels), dbeta = dgamma
        for b in 0..<batch {
            for group in 0..<groups {
                let range = (b * channels + group * perGroup) * spatial..<(b * channels + (group + 1) * perGroup) * spatial
                let mean = range.map { Double(x.value[$0]) }.reduce(0, +) / Double(m)
                let variance = range.map { (Double(x.value[$0]) - mean) * (Double(x.value[$0]) - mean) }.reduce(0, +) / Double(m)
                let deviation = (variance + 1e-5).squareRoot()
                var meanG = 0.0, meanGX = 0.0
                for index in range {
                    let c = index / spatial % channels, xhat = (Double(x.value[index]) - mean) / deviation, dy = Double(upstream[index])
                    meanG += Double(gamma.value[c]) * dy / Double(m)
                    meanGX += Double(gamma.value[c]) * dy * xhat / Double(m)
                    dgamma[c] += dy * xhat
                    dbeta[c] += dy
                }
                for index in range {
                    let c = index / spatial % channels, xhat = (Double(x.value[index]) - mean) / deviation
                    dx[index] = (Double(gamma.value[c]) * Double(upstream[index]) - meanG - xhat * meanGX) / deviation
                }
            }
        }
        for (analytic, exact) in [(x.gradient, dx), (gamma.gradient, dgamma), (beta.gradient, dbeta)] {
            let scale = exact.map(abs).max() ?? 1
            let worst = zip(analytic.values, exact).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-5 * scale, "largest difference \(worst) of \(scale)")
        }
    }

    @Test func groupNormReusesPooledMemoryCleanly() {
        let x = Parameter(name: "x", value: Self.random([2, 4, 3, 3], seed: 216))
        let gamma = Parameter(name: "g", value: Self.random([4], seed: 217)), beta = Parameter(name: "b", value: Self.random([4], seed: 218))
        let tape = Tape()
        var gradients: [[Float]] = []
        for _ in 0..<2 {
            for p in [x, gamma, beta] { p.zeroGradient() }
            let y = tape.groupNorm(tape.parameter(x), groups: 2, gamma: tape.parameter(gamma), beta: tape.parameter(beta))
            tape.backward(from: Self.loss(tape, y, seed: 219))
            gradients.append([x, gamma, beta].flatMap { $0.gradient.values })
            tape.reset()
        }
        #expect(gradients[0] == gradients[1])
    }

    @Test func groupNormWithoutMeanTermIsRejected() {
        let leaves = [Self.random([2, 4, 3, 2], seed: 220, scale: 0.5), Self.random([4], seed: 221), Self.random([4], seed: 222)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            Self.loss(tape, tape.groupNormForgettingMeanInBackward(v[0], groups: 2, gamma: v[1], beta: v[2]), seed: 223)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    @Test func layerNormOnThreeDimensionalInput() {
        let leaves = [Self.random([2, 3, 5], seed: 301, scale: 2), Self.random([5], seed: 302), Self.random([5], seed: 303)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            Self.loss(tape, tape.layerNorm(v[0], gamma: v[1], beta: v[2]), seed: 304)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        // A feature count above the SIMD width with a tail.
        let wide = GradientCheck.compare(leaves: [Self.random([3, 11], seed: 305), Self.random([11], seed: 306), Self.random([11], seed: 307)]) { tape, v in
            Self.loss(tape, tape.layerNorm(v[0], gamma: v[1], beta: v[2]), seed: 308)
        }
        #expect(wide.maxRelativeError < Self.tolerance, "\(wide)")
    }

    @Test func layerNormForwardMatchesDirectComputation() {
        let x = Self.random([2, 3, 10], seed: 309, scale: 2), gamma = Self.random([10], seed: 310), beta = Self.random([10], seed: 311)
        let tape = Tape()
        let y = tape.value(tape.layerNorm(tape.constant(x), gamma: tape.constant(gamma), beta: tape.constant(beta)))
        for row in 0..<6 {
            let values = (0..<10).map { Double(x[row * 10 + $0]) }
            let mean = values.reduce(0, +) / 10
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 10
            for d in 0..<10 {
                let expected = Double(gamma[d]) * (values[d] - mean) / (variance + 1e-5).squareRoot() + Double(beta[d])
                #expect(abs(Double(y[row * 10 + d]) - expected) < 1e-5 * max(1, abs(expected)))
            }
        }
    }

    @Test func layerNormWithoutVarianceTermIsRejected() {
        let leaves = [Self.random([2, 3, 5], seed: 312, scale: 2), Self.random([5], seed: 313), Self.random([5], seed: 314)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            Self.loss(tape, tape.layerNormForgettingVarianceInBackward(v[0], gamma: v[1], beta: v[2]), seed: 315)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    // MARK: resampling, plumbing

    @Test(arguments: [1, 2, 3]) func upsampleNearest(factor: Int) {
        let result = GradientCheck.compare(leaves: [Self.random([2, 2, 3, 2], seed: 401)]) { tape, v in
            Self.loss(tape, tape.upsampleNearest(v[0], factor: factor), seed: 402)
        }
        #expect(result.maxRelativeError < Self.tolerance, "factor \(factor): \(result)")
    }

    @Test func upsampleNearestForward() {
        let x = Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        let tape = Tape()
        let y = tape.value(tape.upsampleNearest(tape.constant(x)))
        #expect(y.shape == [1, 1, 4, 4])
        #expect(y.values == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    @Test func upsampleReadingOneCopyIsRejected() {
        let result = GradientCheck.compare(leaves: [Self.random([1, 2, 3, 2], seed: 403)]) { tape, v in
            Self.loss(tape, tape.upsampleReadingTopLeftInBackward(v[0]), seed: 404)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    @Test func averagePool() {
        let result = GradientCheck.compare(leaves: [Self.random([2, 3, 3, 2], seed: 405)]) { tape, v in
            Self.loss(tape, tape.averagePool(v[0]), seed: 406)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        let tape = Tape()
        let y = tape.value(tape.averagePool(tape.constant(Tensor(shape: [1, 2, 1, 2], values: [1, 3, 5, 9]))))
        #expect(y.shape == [1, 2] && y.values == [2, 7])
    }

    @Test func averagePoolWithoutDivisionIsRejected() {
        let result = GradientCheck.compare(leaves: [Self.random([2, 2, 2, 2], seed: 407)]) { tape, v in
            Self.loss(tape, tape.averagePoolSummingInBackward(v[0]), seed: 408)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    @Test func concatChannels() {
        let leaves = [Self.random([2, 2, 3, 2], seed: 501), Self.random([2, 3, 3, 2], seed: 502), Self.random([2, 1, 3, 2], seed: 503)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            Self.loss(tape, tape.concatChannels([v[0], v[1], v[2]]), seed: 504)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        let tape = Tape()
        let y = tape.value(tape.concatChannels([tape.constant(Tensor(shape: [2, 1, 1, 2], values: [1, 2, 3, 4])),
                                                tape.constant(Tensor(shape: [2, 2, 1, 2], values: [5, 6, 7, 8, 9, 10, 11, 12]))]))
        #expect(y.shape == [2, 3, 1, 2])
        #expect(y.values == [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12])
    }

    @Test func concatChannelsIgnoringBatchStrideIsRejected() {
        let result = GradientCheck.compare(leaves: [Self.random([2, 1, 2, 2], seed: 505), Self.random([2, 2, 2, 2], seed: 506)]) { tape, v in
            Self.loss(tape, tape.concatChannelsIgnoringBatchStrideInBackward(v[0], v[1]), seed: 507)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    @Test func addChannelBias() {
        let result = GradientCheck.compare(leaves: [Self.random([2, 3, 2, 3], seed: 601), Self.random([2, 3], seed: 602)]) { tape, v in
            Self.loss(tape, tape.addChannelBias(v[0], v[1]), seed: 603)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        // [B, C, L] (a sequence) works the same way.
        let flat = GradientCheck.compare(leaves: [Self.random([2, 3, 5], seed: 604), Self.random([2, 3], seed: 605)]) { tape, v in
            Self.loss(tape, tape.addChannelBias(v[0], v[1]), seed: 606)
        }
        #expect(flat.maxRelativeError < Self.tolerance, "\(flat)")
    }

    @Test func addChannelBiasWithoutSpatialSumIsRejected() {
        let result = GradientCheck.compare(leaves: [Self.random([2, 2, 2, 2], seed: 607), Self.random([2, 2], seed: 608)]) { tape, v in
            Self.loss(tape, tape.addChannelBiasReadingOnePixelInBackward(v[0], v[1]), seed: 609)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }

    @Test func reshape() {
        let result = GradientCheck.compare(leaves: [Self.random([2, 3, 4], seed: 701)]) { tape, v in
            Self.loss(tape, tape.silu(tape.reshape(tape.silu(v[0]), [4, 6])), seed: 702)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        let tape = Tape()
        let y = tape.value(tape.reshape(tape.constant(Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])), [3, 1, 2]))
        #expect(y.shape == [3, 1, 2] && y.values == [1, 2, 3, 4, 5, 6])
    }

    // MARK: dropout

    /// GradientCheck evaluates with a non-recording tape, where dropout is the identity, so
    /// dropout is checked on recording tapes with the same seed for every evaluation: the
    /// operation is linear in x, so one central difference is exact up to rounding.
    static func dropoutGradientError(_ op: (Tape, Variable, inout RandomStream) -> Variable) -> Double {
        let x = Self.random([3, 4, 5], seed: 801)
        func evaluate(_ tape: Tape, _ leaf: Parameter) -> Variable {
            var stream = RandomStream(seed: 802, stream: 3)
            return Self.loss(tape, op(tape, tape.parameter(leaf), &stream), seed: 803)
        }
        func loss(_ leaf: Parameter) -> Double {
            let tape = Tape()
            return Double(tape.value(evaluate(tape, leaf))[0])
        }
        let leaf = Parameter(name: "x", value: x)
        let tape = Tape()
        tape.backward(from: evaluate(tape, leaf))
        var worst = 0.0, scale = 0.0
        var numeric = [Double](repeating: 0, count: x.count)
        for index in 0..<x.count {
            let original = x[index], h: Float = 0.05
            x[index] = original + h
            let up = loss(leaf)
            x[index] = original - h
            let down = loss(leaf)
            x[index] = original
            numeric[index] = (up - down) / (Double(original + h) - Double(original - h))
            scale = max(scale, abs(numeric[index]))
        }
        for index in 0..<x.count { worst = max(worst, abs(Double(leaf.gradient[index]) - numeric[index]) / max(scale, 1e-6)) }
        return worst
    }

    @Test func dropout() {
        let error = Self.dropoutGradientError { tape, x, stream in tape.dropout(x, probability: 0.3, stream: &stream) }
        #expect(error < Self.tolerance, "relative error \(error)")
    }

    @Test func dropoutWithoutRescalingIsRejected() {
        let error = Self.dropoutGradientError { tape, x, stream in tape.dropoutForgettingScaleInBackward(x, probability: 0.3, stream: &stream) }
        #expect(error > 100 * Self.tolerance, "relative error \(error)")
    }

    /// Kept elements are scaled by 1/(1 − p), about a fraction p is dropped, the same seed
    /// drops the same elements, and p = 0 or inference is the identity without a draw.
    @Test func dropoutStatistics() {
        let x = Tensor(shape: [100, 100], values: [Float](repeating: 2, count: 10_000))
        let tape = Tape()
        var stream = RandomStream(seed: 804)
        let y = tape.value(tape.dropout(tape.constant(x), probability: 0.25, stream: &stream)).values
        #expect(y.allSatisfy { $0 == 0 || abs($0 - 2 / 0.75) < 1e-6 })
        let dropped = Double(y.filter { $0 == 0 }.count) / 10_000
        #expect(abs(dropped - 0.25) < 4 * (0.25 * 0.75 / 10_000).squareRoot(), "dropped fraction \(dropped)")
        var again = RandomStream(seed: 804)
        #expect(tape.value(tape.dropout(tape.constant(x), probability: 0.25, stream: &again)).values == y)

        let input = tape.constant(x)
        var untouched = RandomStream(seed: 805)
        #expect(tape.dropout(input, probability: 0, stream: &untouched) == input)
        tape.isRecording = false
        #expect(tape.dropout(input, probability: 0.5, stream: &untouched) == input)
        #expect(untouched.state == RandomStream(seed: 805).state)
    }

    // MARK: layers

    @Test func layersHaveTheirShapesNamesAndInitialization() {
        var stream = RandomStream(seed: 901)
        let conv = Conv2d(name: "block.conv1", inputs: 4, outputs: 6, kernel: 3, stream: &stream)
        #expect(conv.weight.value.shape == [6, 4, 3, 3] && conv.bias.value.shape == [6] && conv.padding == 1 && conv.stride == 1)
        #expect(conv.parameters.map(\.name) == ["block.conv1.weight", "block.conv1.bias"])
        let bound = Float(1 / (4.0 * 9).squareRoot())
        #expect(conv.weight.value.values.allSatisfy { abs($0) <= bound } && conv.bias.value.values.allSatisfy { abs($0) <= bound })
        let norm = GroupNorm(name: "block.norm1", channels: 6, groups: 3)
        #expect(norm.gamma.value.values == [1, 1, 1, 1, 1, 1] && norm.beta.value.values == [0, 0, 0, 0, 0, 0])
        #expect(norm.parameters.map(\.name) == ["block.norm1.weight", "block.norm1.bias"])
        let layer = LayerNorm(name: "attn.norm", features: 5)
        #expect(layer.gamma.value.values == [1, 1, 1, 1, 1] && layer.parameters.count == 2)
        let down = Downsample(name: "down", channels: 4, stream: &stream)
        let up = Upsample(name: "up", channels: 4, stream: &stream)
        #expect(down.parameters.map(\.name) == ["down.conv.weight", "down.conv.bias"])
        #expect(up.parameters.map(\.name) == ["up.conv.weight", "up.conv.bias"])

        let tape = Tape()
        let x = tape.constant(Self.random([2, 4, 5, 6], seed: 902))
        #expect(tape.value(conv(x, on: tape)).shape == [2, 6, 5, 6])
        #expect(tape.value(down(x, on: tape)).shape == [2, 4, 3, 3])
        #expect(tape.value(up(x, on: tape)).shape == [2, 4, 10, 12])
        #expect(tape.value(norm(conv(x, on: tape), on: tape)).shape == [2, 6, 5, 6])
        let pointwise = Conv2d(name: "skip", inputs: 4, outputs: 2, kernel: 1, stream: &stream)
        #expect(pointwise.padding == 0 && tape.value(pointwise(x, on: tape)).shape == [2, 2, 5, 6])
    }

    /// A small ResNet block end to end: GroupNorm → SiLU → Conv → + time bias → GroupNorm →
    /// SiLU → Dropout(0) → Conv, plus a 1×1 skip, then a skip concat, downsample and pool.
    @Test func smallResidualBlock() {
        let leaves = [Self.random([2, 4, 4, 4], seed: 903), Self.random([2, 4], seed: 904),
                      Self.random([4], seed: 905), Self.random([4], seed: 906), Self.random([6, 4, 3, 3], seed: 907, scale: 0.3), Self.random([6], seed: 908),
                      Self.random([6], seed: 909), Self.random([6], seed: 910), Self.random([6, 6, 3, 3], seed: 911, scale: 0.3), Self.random([6], seed: 912),
                      Self.random([6, 4, 1, 1], seed: 913, scale: 0.5), Self.random([6, 10, 3, 3], seed: 914, scale: 0.2)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            var stream = RandomStream(seed: 915)
            var h = tape.conv2d(tape.silu(tape.groupNorm(v[0], groups: 2, gamma: v[2], beta: v[3])), weight: v[4], bias: v[5], padding: 1)
            h = tape.addChannelBias(h, tape.linear(v[1], weight: tape.reshape(v[10], [4, 6]), bias: v[5]))
            h = tape.dropout(tape.silu(tape.groupNorm(h, groups: 3, gamma: v[6], beta: v[7])), probability: 0, stream: &stream)
            h = tape.add(tape.conv2d(h, weight: v[8], bias: v[9], padding: 1), tape.conv2d(v[0], weight: v[10], bias: nil))
            h = tape.conv2d(tape.concatChannels([h, v[0]]), weight: v[11], bias: nil, stride: 2, padding: 1)
            return Self.loss(tape, tape.averagePool(tape.upsampleNearest(h)), seed: 916)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }
}

// MARK: - Mutants: the right forward pass, a wrong backward. Only for the tests above.

extension Tape {
    /// Records a copy of `forward`'s value whose backward is `wrong` (the real node is left
    /// unreached, so its own backward never runs).
    fileprivate func mutant(_ forward: Variable, wrong: @escaping (Tape, Tensor) -> Void) -> Variable {
        let output = scratch(value(forward).shape)
        output.copy(from: value(forward))
        return record(output, backward: wrong)
    }

    /// conv2d (stride 1) whose ∂L/∂x puts each column entry at (i + u, j + v), forgetting −p.
    fileprivate func conv2dForgettingPaddingInBackward(_ x: Variable, weight: Variable, bias: Variable, padding: Int) -> Variable {
        let y = conv2d(x, weight: weight, bias: bias, padding: padding)
        let input = value(x), w = value(weight), output = value(y)
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (outputs, kh, kw, oh, ow) = (w.shape[0], w.shape[2], w.shape[3], output.shape[2], output.shape[3])
        return mutant(y) { tape, dy in
            let dx = tape.gradientToAccumulate(x), dw = tape.gradientToAccumulate(weight), db = tape.gradientToAccumulate(bias)
            for b in 0..<batch {
                for o in 0..<outputs {
                    for i in 0..<oh {
                        for j in 0..<ow {
                            let g = dy[((b * outputs + o) * oh + i) * ow + j]
                            db[o] += g
                            for c in 0..<channels {
                                for u in 0..<kh {
                                    for v in 0..<kw {
                                        let widx = ((o * channels + c) * kh + u) * kw + v
                                        let r = i - padding + u, q = j - padding + v
                                        if r >= 0 && r < height && q >= 0 && q < width {
                                            dw[widx] += g * input[((b * channels + c) * height + r) * width + q]
                                        }
                                        if i + u < height && j + v < width {
                                            dx[((b * channels + c) * height + i + u) * width + j + v] += g * w[widx]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// groupNorm whose ∂L/∂x drops the −mean(g) term (treats μ as a constant).
    fileprivate func groupNormForgettingMeanInBackward(_ x: Variable, groups: Int, gamma: Variable, beta: Variable) -> Variable {
        let y = groupNorm(x, groups: groups, gamma: gamma, beta: beta)
        let input = value(x), scale = value(gamma)
        let (batch, channels) = (input.shape[0], input.shape[1])
        let spatial = input.count / (batch * channels), perGroup = channels / groups, m = perGroup * spatial
        return mutant(y) { tape, dy in
            let dx = tape.gradientToAccumulate(x), dgamma = tape.gradientToAccumulate(gamma), dbeta = tape.gradientToAccumulate(beta)
            for b in 0..<batch {
                for group in 0..<groups {
                    let start = (b * channels + group * perGroup) * spatial
                    let values = (start..<start + m).map { input[$0] }
                    let mean = values.reduce(0, +) / Float(m)
                    let inverse = 1 / (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(m) + 1e-5).squareRoot()
                    var meanGX: Float = 0
                    for index in start..<start + m {
                        let c = index / spatial % channels, xhat = (input[index] - mean) * inverse
                        meanGX += scale[c] * dy[index] * xhat / Float(m)
                        dgamma[c] += dy[index] * xhat
                        dbeta[c] += dy[index]
                    }
                    for index in start..<start + m {
                        let c = index / spatial % channels, xhat = (input[index] - mean) * inverse
                        dx[index] += inverse * (scale[c] * dy[index] - xhat * meanGX)
                    }
                }
            }
        }
    }

    /// layerNorm whose ∂L/∂x drops the −x̂·mean(g·x̂) term (treats σ as a constant).
    fileprivate func layerNormForgettingVarianceInBackward(_ x: Variable, gamma: Variable, beta: Variable) -> Variable {
        let y = layerNorm(x, gamma: gamma, beta: beta)
        let input = value(x), scale = value(gamma), features = scale.count, rows = input.count / features
        return mutant(y) { tape, dy in
            let dx = tape.gradientToAccumulate(x), dgamma = tape.gradientToAccumulate(gamma), dbeta = tape.gradientToAccumulate(beta)
            for row in 0..<rows {
                let values = (0..<features).map { input[row * features + $0] }
                let mean = values.reduce(0, +) / Float(features)
                let inverse = 1 / (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(features) + 1e-5).squareRoot()
                var meanG: Float = 0
                for d in 0..<features { meanG += scale[d] * dy[row * features + d] / Float(features) }
                for d in 0..<features {
                    let index = row * features + d, xhat = (values[d] - mean) * inverse
                    dgamma[d] += dy[index] * xhat
                    dbeta[d] += dy[index]
                    dx[index] += inverse * (scale[d] * dy[index] - meanG)
                }
            }
        }
    }

    /// upsampleNearest (×2) whose ∂L/∂x reads only the top-left copy of each 2×2 block.
    fileprivate func upsampleReadingTopLeftInBackward(_ x: Variable) -> Variable {
        let y = upsampleNearest(x)
        let input = value(x), planes = input.shape[0] * input.shape[1], height = input.shape[2], width = input.shape[3]
        return mutant(y) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            for plane in 0..<planes {
                for i in 0..<height {
                    for j in 0..<width { dx[(plane * height + i) * width + j] += dy[(plane * 2 * height + 2 * i) * 2 * width + 2 * j] }
                }
            }
        }
    }

    /// averagePool whose ∂L/∂x forgets the 1/S.
    fileprivate func averagePoolSummingInBackward(_ x: Variable) -> Variable {
        let y = averagePool(x)
        let input = value(x), planes = input.shape[0] * input.shape[1], spatial = input.count / planes
        return mutant(y) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            for index in 0..<input.count { dx[index] += dy[index / spatial] }
        }
    }

    /// concatChannels of two inputs whose backward reads each block as if the batch were
    /// one sample (offsets b·Cᵢ·S into ∂L/∂y instead of b·(C₁ + C₂)·S).
    fileprivate func concatChannelsIgnoringBatchStrideInBackward(_ a: Variable, _ b: Variable) -> Variable {
        let y = concatChannels([a, b])
        let first = value(a).count, second = value(b).count
        return mutant(y) { tape, dy in
            let da = tape.gradientToAccumulate(a), db = tape.gradientToAccumulate(b)
            for index in 0..<first { da[index] += dy[index] }
            for index in 0..<second { db[index] += dy[first + index] }
        }
    }

    /// addChannelBias whose ∂L/∂bias takes ∂L/∂y at the first pixel instead of the spatial sum.
    fileprivate func addChannelBiasReadingOnePixelInBackward(_ x: Variable, _ bias: Variable) -> Variable {
        let y = addChannelBias(x, bias)
        let planes = value(bias).count, spatial = value(x).count / planes
        return mutant(y) { tape, dy in
            let dx = tape.gradientToAccumulate(x), db = tape.gradientToAccumulate(bias)
            for index in 0..<dy.count { dx[index] += dy[index] }
            for plane in 0..<planes { db[plane] += dy[plane * spatial] }
        }
    }

    /// dropout whose ∂L/∂x uses the 0/1 mask without the 1/(1 − p).
    fileprivate func dropoutForgettingScaleInBackward(_ x: Variable, probability: Float, stream: inout RandomStream) -> Variable {
        let y = dropout(x, probability: probability, stream: &stream)
        let output = value(y)
        return mutant(y) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            for index in 0..<dy.count where output[index] != 0 { dx[index] += dy[index] }
        }
    }
}
