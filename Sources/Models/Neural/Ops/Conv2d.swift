import Foundation

/// 2-D convolution (cross-correlation, as in PyTorch): x [B, Cin, H, W], weight
/// [Cout, Cin, kH, kW], bias [Cout] → y [B, Cout, Ho, Wo] with Ho = (H + 2p − kH)/s + 1,
/// Wo = (W + 2p − kW)/s + 1, zero padding p and stride s:
///   y[b, o, i, j] = bias[o] + Σ_{c, u, v} w[o, c, u, v] · x[b, c, s·i − p + u, s·j − p + v].
///
/// A 3×3 kernel with stride 1 and padding 1 (every "same" convolution of the models) runs
/// through Winograd's F(2×2, 3×3) instead (Conv2dWinograd.swift): 2.25× fewer multiply-adds.
/// Every other kernel is computed as one matrix product per batch chunk: im2col lays the
/// receptive fields out as columns, X̂ [Cin·kH·kW, n·Ho·Wo] (n samples side by side), then
/// Y = W·X̂ with W viewed as [Cout, Cin·kH·kW], and a layout transpose turns Y's
/// [Cout, n, Ho·Wo] into NCHW.
/// Backward, with ∂L/∂Y transposed the same way: ∂L/∂W += ∂L/∂Y·X̂ᵀ, ∂L/∂bias += Σ_{b,i,j} ∂L/∂y,
/// and ∂L/∂X̂ = Wᵀ·∂L/∂Y, which col2im adds back into ∂L/∂x (each column entry to the pixel
/// it was read from; entries that were padding go nowhere). Other stride-1 square kernels
/// get ∂L/∂x as a convolution of ∂L/∂y with the flipped kernel (Conv2dAdjoint.swift), which
/// makes a k² times smaller product and needs no col2im. While the tape records and the
/// weight needs a gradient, forward keeps X̂ of the whole batch for backward (a profile of
/// U-Net training put 3.5 % of the time in rebuilding it); the pool takes it back on `reset`.
///
/// A 1×1 kernel with stride 1 and no padding needs no im2col: X̂ of one sample is x[b]
/// itself viewed as [Cin, H·W].
extension Tape {
    public func conv2d(_ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0) -> Variable {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, columnBudget: ConvolutionGeometry.defaultColumnBudget)
    }

    /// `conv2d` with the batch cut into chunks of at most `columnBudget` im2col elements
    /// (tests pass a small budget to exercise the chunk boundaries).
    func conv2d(_ x: Variable, weight: Variable, bias: Variable?, stride: Int, padding: Int, columnBudget: Int) -> Variable {
        let input = value(x), w = value(weight)
        precondition(input.shape.count == 4 && w.shape.count == 4, "conv2d: x \(input.shape) must be [B, Cin, H, W] and weight \(w.shape) [Cout, Cin, kH, kW]")
        precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
        let g = ConvolutionGeometry(input: input.shape, weight: w.shape, stride: stride, padding: padding, columnBudget: columnBudget)
        precondition(input.shape[1] == w.shape[1], "conv2d: x has \(input.shape[1]) channels, weight expects \(w.shape[1])")
        precondition(g.outputHeight >= 1 && g.outputWidth >= 1, "conv2d: kernel \(w.shape[2])×\(w.shape[3]) larger than padded input \(input.shape)")
        let biasValue = bias.map { value($0) }
        if let biasValue { precondition(biasValue.count == g.outputChannels, "conv2d: bias \(biasValue.shape) for \(g.outputChannels) output channels") }
        if g.hasWinograd { return conv2dWinograd(x, weight: weight, bias: bias, geometry: g, using: F2x3.self) }

        let output = scratch([g.batch, g.outputChannels, g.outputHeight, g.outputWidth])
        let plane = g.outputPlane, outputs = g.outputChannels, rows = g.columnRows
        // X̂ of the whole batch, chunk after chunk, kept for the weight gradient.
        let keptColumns = !g.isPointwise && isRecording && needsGradient(weight) ? scratch([rows, g.batch * plane]) : nil
        if g.isPointwise {
            // Y[b] = W·x[b] directly in NCHW: [Cout, Cin]·[Cin, H·W], the samples split over the
            // threads (one single-threaded product each, the same whichever thread runs it).
            Parts.run(g.batch, work: g.batch * outputs * rows * plane) { samples in
                for b in samples {
                    let target = output.pointer + b * outputs * plane
                    g.fillBias(biasValue?.pointer, into: target)
                    BLAS.gemm(transposeA: false, transposeB: false, m: outputs, n: plane, k: rows,
                              a: w.pointer, lda: rows, b: input.pointer + b * rows * plane, ldb: plane,
                              beta: biasValue == nil ? 0 : 1, c: target, ldc: plane, threads: 1)
                }
            }
        } else {
            let chunk = g.batchChunk
            let columns = keptColumns ?? scratch([rows, chunk * plane])
            let product = scratch([outputs, chunk * plane])
            for start in Swift.stride(from: 0, to: g.batch, by: chunk) {
                let count = min(chunk, g.batch - start), width = count * plane
                let block = keptColumns == nil ? 0 : start * rows * plane
                g.im2colInParallel(input, batches: start..<start + count, into: columns, at: block)
                BLAS.gemm(transposeA: false, transposeB: false, m: outputs, n: width, k: rows,
                          a: w.pointer, lda: rows, b: columns.pointer + block, ldb: width, beta: 0, c: product.pointer, ldc: width)
                g.scatterToNCHW(product, batches: start..<start + count, bias: biasValue, into: output)
            }
            if keptColumns == nil { recycle(columns) }
            recycle(product)
        }

        return record(output, extras: keptColumns.map { [$0] } ?? []) { tape, dy in
            if let bias, tape.needsGradient(bias) { g.addBiasGradient(dy, into: tape.gradientToAccumulate(bias)) }
            let wantsInput = tape.needsGradient(x), wantsWeight = tape.needsGradient(weight)
            guard wantsInput || wantsWeight else { return }
            if g.isPointwise {
                if wantsWeight {
                    // ∂L/∂W [Cout, Cin] += ∂L/∂Y[b] [Cout, HW] · x[b]ᵀ [HW, Cin], summed in batch order.
                    let dw = tape.gradientToAccumulate(weight).pointer
                    for b in 0..<g.batch {
                        BLAS.gemm(transposeA: false, transposeB: true, m: outputs, n: rows, k: plane,
                                  a: dy.pointer + b * outputs * plane, lda: plane, b: input.pointer + b * rows * plane, ldb: plane,
                                  beta: 1, c: dw, ldc: rows)
                    }
                }
                if wantsInput {
                    // ∂L/∂x[b] [Cin, HW] += Wᵀ [Cin, Cout] · ∂L/∂Y[b] [Cout, HW], the samples split over the threads.
                    let dx = tape.gradientToAccumulate(x)
                    Parts.run(g.batch, work: g.batch * outputs * rows * plane) { samples in
                        for b in samples {
                            BLAS.gemm(transposeA: true, transposeB: false, m: rows, n: plane, k: outputs,
                                      a: w.pointer, lda: rows, b: dy.pointer + b * outputs * plane, ldb: plane,
                                      beta: 1, c: dx.pointer + b * rows * plane, ldc: plane, threads: 1)
                        }
                    }
                }
                return
            }
            // Stride-1 "same" kernels take ∂L/∂x from the adjoint convolution (Conv2dAdjoint.swift),
            // the rest from ∂L/∂X̂ = Wᵀ·∂L/∂Y and col2im below.
            let byAdjoint = wantsInput && g.hasAdjointConvolution
            if byAdjoint { g.addInputGradientByAdjoint(dy, weight: w, into: tape.gradientToAccumulate(x), tape: tape) }
            let viaColumns = wantsInput && !byAdjoint
            guard wantsWeight || viaColumns else { return }
            let chunk = g.batchChunk
            // X̂ (rebuilt per chunk when not kept), and ∂L/∂X̂ of one chunk, which stays in cache
            // for col2im (when X̂ is rebuilt it takes X̂'s place once the weight gradient has read it).
            let columns = keptColumns ?? tape.scratch([rows, chunk * plane])
            let columnGradient = keptColumns == nil || !viaColumns ? columns : tape.scratch([rows, chunk * plane])
            let upstream = tape.scratch([outputs, chunk * plane])
            for start in Swift.stride(from: 0, to: g.batch, by: chunk) {
                let count = min(chunk, g.batch - start), width = count * plane
                let block = keptColumns == nil ? 0 : start * rows * plane
                g.gatherFromNCHW(dy, batches: start..<start + count, into: upstream)
                if wantsWeight {
                    if keptColumns == nil { g.im2colInParallel(input, batches: start..<start + count, into: columns, at: block) }
                    BLAS.gemm(transposeA: false, transposeB: true, m: outputs, n: rows, k: width,
                              a: upstream.pointer, lda: width, b: columns.pointer + block, ldb: width,
                              beta: 1, c: tape.gradientToAccumulate(weight).pointer, ldc: rows)
                }
                if viaColumns {
                    // ∂L/∂X̂ = Wᵀ·∂L/∂Y
                    BLAS.gemm(transposeA: true, transposeB: false, m: rows, n: width, k: outputs,
                              a: w.pointer, lda: rows, b: upstream.pointer, ldb: width,
                              beta: 0, c: columnGradient.pointer, ldc: width)
                    g.col2imInParallel(columnGradient, batches: start..<start + count, addingInto: tape.gradientToAccumulate(x))
                }
            }
            if columnGradient !== keptColumns { tape.recycle(columnGradient) }
            tape.recycle(upstream)
        }
    }
}

/// The index arithmetic of `conv2d`: im2col, col2im and the layout transposes between the
/// product's [Cout, n·Ho·Wo] and NCHW.
struct ConvolutionGeometry {
    let batch, channels, height, width: Int
    let outputChannels, kernelHeight, kernelWidth: Int
    let stride, padding: Int
    let outputHeight, outputWidth: Int
    let columnBudget: Int

    /// Elements of X̂ handed to one matrix product at most (the batch is cut into chunks
    /// below it): 2²⁰ floats = 4 MB keeps X̂ and the product near the cache while the product
    /// stays wide (1792 columns for 3×3 kernels over 64 channels at 8×8). Measured on the
    /// project's 2-core machine for x [64, 64, 8, 8] and a 3×3 64→64 kernel (forward +
    /// backward): 2¹⁹–2²¹ within noise of each other, one product per sample ~20% slower.
    static let defaultColumnBudget = 1 << 20

    init(input: [Int], weight: [Int], stride: Int, padding: Int, columnBudget: Int = Self.defaultColumnBudget) {
        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        outputChannels = weight[0]; kernelHeight = weight[2]; kernelWidth = weight[3]
        self.stride = stride; self.padding = padding; self.columnBudget = columnBudget
        outputHeight = (height + 2 * padding - kernelHeight) / stride + 1
        outputWidth = (width + 2 * padding - kernelWidth) / stride + 1
    }

    var outputPlane: Int { outputHeight * outputWidth }
    /// Rows of X̂: one per (input channel, kernel row, kernel column).
    var columnRows: Int { channels * kernelHeight * kernelWidth }
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }
    /// Samples per matrix product.
    var batchChunk: Int { max(1, min(batch, columnBudget / max(1, columnRows * outputPlane))) }

    /// The output columns j whose input column s·j − p + v lies inside 0..<width.
    private func validColumns(_ v: Int) -> Range<Int> {
        let shift = padding - v  // input column = s·j − shift
        let low = shift > 0 ? (shift + stride - 1) / stride : 0
        let high = min(outputWidth, (width + shift + stride - 1) / stride)
        return low..<max(low, high)
    }

    /// Below this many X̂ elements a second thread costs more than it saves.
    static let parallelWork = 1 << 15

    /// Runs `body` over consecutive channel ranges, one per thread of `BLAS.threads` (so a
    /// one-thread run uses one core) when the X̂ block of `batches` is large: each channel
    /// owns its X̂ rows and its planes of x and ∂L/∂x, so the parts write disjoint memory,
    /// and every element sees the same order of additions as in one serial pass.
    private func inChannelParts(batches: Range<Int>, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        Parts.run(channels, work: columnRows * batches.count * outputPlane, minimumWork: Self.parallelWork, body)
    }

    /// im2col of `batches` into the block of `columns` that starts at element `offset`.
    func im2colInParallel(_ x: Tensor, batches: Range<Int>, into columns: Tensor, at offset: Int = 0) {
        inChannelParts(batches: batches) { [self] in im2col(x.pointer, batches: batches, channels: $0, into: columns.pointer + offset) }
    }

    func col2imInParallel(_ columns: Tensor, batches: Range<Int>, addingInto dx: Tensor) {
        inChannelParts(batches: batches) { [self] in col2im(columns.pointer, batches: batches, channels: $0, addingInto: dx.pointer) }
    }

    /// X̂[(c·kH + u)·kW + v, (b − start)·Ho·Wo + i·Wo + j] = x[b, c, s·i − p + u, s·j − p + v], 0 outside.
    /// Stride 1 goes through `im2colStrideOne`; these loops serve the strided convolutions.
    func im2col(_ x: UnsafePointer<Float>, batches: Range<Int>, channels part: Range<Int>? = nil, into columns: UnsafeMutablePointer<Float>) {
        if stride == 1 { return im2colStrideOne(x, batches: batches, channels: part ?? 0..<channels, into: columns) }
        let plane = outputPlane, rowLength = batches.count * plane
        for c in part ?? 0..<channels {
            for u in 0..<kernelHeight {
                for v in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + u) * kernelWidth + v) * rowLength
                    let valid = validColumns(v), offset = v - padding
                    for b in batches {
                        let source = x + (b * channels + c) * height * width
                        let target = row + (b - batches.lowerBound) * plane
                        for i in 0..<outputHeight {
                            let line = target + i * outputWidth
                            let inputRow = stride * i - padding + u
                            // Plain loops, not memset/memcpy: the lines are short (Wo = 4…32) and a
                            // library call per line would cost more than the copy.
                            guard inputRow >= 0 && inputRow < height else {
                                for j in 0..<outputWidth { line[j] = 0 }
                                continue
                            }
                            let sourceLine = source + inputRow * width
                            for j in 0..<valid.lowerBound { line[j] = 0 }
                            for j in valid { line[j] = sourceLine[stride * j + offset] }
                            for j in valid.upperBound..<outputWidth { line[j] = 0 }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: dx[b, c, s·i − p + u, s·j − p + v] += ∂X̂[…] for every column
    /// entry that was read from inside the image. Stride 1 goes through `col2imStrideOne`.
    func col2im(_ columns: UnsafePointer<Float>, batches: Range<Int>, channels part: Range<Int>? = nil, addingInto dx: UnsafeMutablePointer<Float>) {
        if stride == 1 { return col2imStrideOne(columns, batches: batches, channels: part ?? 0..<channels, addingInto: dx) }
        let plane = outputPlane, rowLength = batches.count * plane
        for c in part ?? 0..<channels {
            for u in 0..<kernelHeight {
                for v in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + u) * kernelWidth + v) * rowLength
                    let valid = validColumns(v), offset = v - padding
                    for b in batches {
                        let target = dx + (b * channels + c) * height * width
                        let source = row + (b - batches.lowerBound) * plane
                        for i in 0..<outputHeight {
                            let inputRow = stride * i - padding + u
                            guard inputRow >= 0 && inputRow < height else { continue }
                            let line = source + i * outputWidth, targetLine = target + inputRow * width
                            for j in valid { targetLine[stride * j + offset] += line[j] }
                        }
                    }
                }
            }
        }
    }

    /// y[b, o, :] = product[o, (b − start)·Ho·Wo ..< +Ho·Wo] + bias[o] (or y += that, when
    /// `adding`), the samples split over the threads.
    func scatterToNCHW(_ product: Tensor, batches: Range<Int>, bias: Tensor?, into y: Tensor, adding: Bool = false) {
        let plane = outputPlane, rowLength = batches.count * plane
        Parts.run(batches.count, work: outputChannels * rowLength) { [self] part in
            for b in part.lowerBound + batches.lowerBound..<part.upperBound + batches.lowerBound {
                for o in 0..<outputChannels {
                    let source = product.pointer + o * rowLength + (b - batches.lowerBound) * plane
                    let target = y.pointer + (b * outputChannels + o) * plane
                    let shift = bias?.pointer[o] ?? 0
                    if adding {
                        for index in 0..<plane { target[index] += source[index] + shift }
                    } else {
                        for index in 0..<plane { target[index] = source[index] + shift }
                    }
                }
            }
        }
    }

    /// The inverse layout: upstream[o, (b − start)·Ho·Wo + k] = dy[b, o, k].
    func gatherFromNCHW(_ dy: Tensor, batches: Range<Int>, into upstream: Tensor) {
        let plane = outputPlane, rowLength = batches.count * plane
        Parts.run(batches.count, work: outputChannels * rowLength) { [self] part in
            for b in part.lowerBound + batches.lowerBound..<part.upperBound + batches.lowerBound {
                for o in 0..<outputChannels {
                    (upstream.pointer + o * rowLength + (b - batches.lowerBound) * plane)
                        .update(from: dy.pointer + (b * outputChannels + o) * plane, count: plane)
                }
            }
        }
    }

    /// ∂L/∂bias[o] += Σ_{b, i, j} ∂L/∂y[b, o, i, j], split over the output channels (each
    /// still sums its planes in batch order).
    func addBiasGradient(_ dy: Tensor, into db: Tensor) {
        let plane = outputPlane, outputs = outputChannels, batch = batch
        Parts.run(outputs, work: dy.count) { channels in
            for o in channels {
                for b in 0..<batch {
                    let source = dy.pointer + (b * outputs + o) * plane
                    var sum: Float = 0
                    for index in 0..<plane { sum += source[index] }
                    db.pointer[o] += sum
                }
            }
        }
    }

    /// Sets each output plane of one sample to its bias (or leaves it to a β = 0 product).
    func fillBias(_ bias: UnsafePointer<Float>?, into target: UnsafeMutablePointer<Float>) {
        guard let bias else { return }
        for o in 0..<outputChannels { (target + o * outputPlane).update(repeating: bias[o], count: outputPlane) }
    }
}
