/// ∂L/∂x of a stride-1 convolution computed as a convolution itself. With
/// y[b, o, i, j] = Σ_{c,u,v} w[o, c, u, v]·x[b, c, i − p + u, j − p + v] and a k×k kernel,
///   ∂L/∂x[b, c, r, q] = Σ_{o,u,v} w[o, c, u, v]·∂L/∂y[b, o, r + p − u, q + p − v]
///                     = Σ_{o,u',v'} w′[c, o, u', v']·∂L/∂y[b, o, r − p′ + u', q − p′ + v'],
/// a cross-correlation of ∂L/∂y (zero outside) with the flipped, transposed kernel
/// w′[c, o, u', v'] = w[o, c, k − 1 − u', k − 1 − v'] at padding p′ = k − 1 − p (u' = k − 1 − u),
/// whose output is H × W again: (H + 2p − k + 1) + 2p′ − k + 1 = H.
///
/// So backward needs im2col of ∂L/∂y and a product [Cin, Cout·k²]·[Cout·k², n·H·W] per chunk,
/// instead of the product ∂L/∂X̂ = Wᵀ·∂L/∂Y [Cin·k², n·H·W] and col2im: the product's output
/// is k² times smaller (OpenBLAS writes all of C once more for β = 0) and col2im's scattered
/// additions become one pass of adds into NCHW. Same multiply-adds.
extension ConvolutionGeometry {
    /// Stride 1, a square kernel and p ≤ k − 1 (3×3 kernels with padding 1 take Winograd's
    /// route instead, which computes ∂L/∂x itself).
    var hasAdjointConvolution: Bool { stride == 1 && kernelHeight == kernelWidth && padding <= kernelHeight - 1 }

    /// The adjoint's geometry: input ∂L/∂y [B, Cout, Ho, Wo], kernel [Cin, Cout, k, k], padding k − 1 − p.
    var adjoint: ConvolutionGeometry {
        ConvolutionGeometry(input: [batch, outputChannels, outputHeight, outputWidth],
                            weight: [channels, outputChannels, kernelHeight, kernelWidth],
                            stride: 1, padding: kernelHeight - 1 - padding, columnBudget: columnBudget)
    }

    /// ∂L/∂x += the adjoint convolution of ∂L/∂y with w′, one product per batch chunk.
    func addInputGradientByAdjoint(_ dy: Tensor, weight w: Tensor, into dx: Tensor, tape: Tape) {
        precondition(hasAdjointConvolution, "addInputGradientByAdjoint: stride \(stride), kernel \(kernelHeight)×\(kernelWidth), padding \(padding)")
        let a = adjoint, k = kernelHeight, rows = a.columnRows, plane = a.outputPlane
        // w′ as [Cin, Cout·k·k]: row c, column (o·k + u')·k + v' holds w[o, c, k − 1 − u', k − 1 − v'].
        let flipped = tape.scratch([channels, rows])
        for c in 0..<channels {
            for o in 0..<outputChannels {
                let source = w.pointer + (o * channels + c) * k * k, target = flipped.pointer + c * rows + o * k * k
                for tap in 0..<k * k { target[tap] = source[k * k - 1 - tap] }
            }
        }
        let chunk = a.batchChunk
        let columns = tape.scratch([rows, chunk * plane]), product = tape.scratch([channels, chunk * plane])
        for start in Swift.stride(from: 0, to: batch, by: chunk) {
            let count = min(chunk, batch - start), width = count * plane
            a.im2colInParallel(dy, batches: start..<start + count, into: columns)
            BLAS.gemm(transposeA: false, transposeB: false, m: channels, n: width, k: rows,
                      a: flipped.pointer, lda: rows, b: columns.pointer, ldb: width, beta: 0, c: product.pointer, ldc: width)
            a.scatterToNCHW(product, batches: start..<start + count, bias: nil, into: dx, adding: true)
        }
        for tensor in [flipped, columns, product] { tape.recycle(tensor) }
    }
}
