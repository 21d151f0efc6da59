/// im2col and col2im for stride 1 (every convolution of the project's models except the
/// downsampling ones) through a zero-bordered copy of one input plane, (H + 2p) × (W + 2p).
/// With stride 1, kernel tap (u, v) at output pixel (i, j) reads padded pixel (i + u, j + v),
/// which always lies inside the padded plane (i + u ≤ Ho − 1 + kH − 1 = H + 2p − 1, and the
/// same for columns). So every line of X̂ is one contiguous run of Wo floats with no bounds
/// to test; the general loops of `im2col` spend most of their time on those bounds when
/// lines are 4 or 8 pixels long.
extension ConvolutionGeometry {
    var paddedHeight: Int { height + 2 * padding }
    var paddedWidth: Int { width + 2 * padding }

    /// X̂[(c·kH + u)·kW + v, (b − start)·Ho·Wo + i·Wo + j] = padded(x[b, c])[i + u, j + v].
    func im2colStrideOne(_ x: UnsafePointer<Float>, batches: Range<Int>, channels part: Range<Int>, into columns: UnsafeMutablePointer<Float>) {
        precondition(stride == 1, "im2colStrideOne: stride \(stride)")
        let plane = outputPlane, rowLength = batches.count * plane, lineWidth = paddedWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedHeight * lineWidth) { buffer in
            let padded = buffer.baseAddress!
            padded.initialize(repeating: 0, count: buffer.count)  // the border stays zero
            for c in part {
                for b in batches {
                    let source = x + (b * channels + c) * height * width
                    for r in 0..<height {
                        ShortLines.copy(source + r * width, to: padded + (r + padding) * lineWidth + padding, count: width)
                    }
                    for u in 0..<kernelHeight {
                        for v in 0..<kernelWidth {
                            let target = columns + ((c * kernelHeight + u) * kernelWidth + v) * rowLength + (b - batches.lowerBound) * plane
                            for i in 0..<outputHeight {
                                ShortLines.copy(padded + (i + u) * lineWidth + v, to: target + i * outputWidth, count: outputWidth)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint: each column entry is added to the padded pixel it was read from, and the
    /// padded plane's interior is then added into dx[b, c] (the border, padding, goes nowhere).
    func col2imStrideOne(_ columns: UnsafePointer<Float>, batches: Range<Int>, channels part: Range<Int>, addingInto dx: UnsafeMutablePointer<Float>) {
        precondition(stride == 1, "col2imStrideOne: stride \(stride)")
        let plane = outputPlane, rowLength = batches.count * plane, lineWidth = paddedWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedHeight * lineWidth) { buffer in
            let padded = buffer.baseAddress!
            for c in part {
                for b in batches {
                    padded.initialize(repeating: 0, count: buffer.count)
                    for u in 0..<kernelHeight {
                        for v in 0..<kernelWidth {
                            let source = columns + ((c * kernelHeight + u) * kernelWidth + v) * rowLength + (b - batches.lowerBound) * plane
                            for i in 0..<outputHeight {
                                ShortLines.add(source + i * outputWidth, into: padded + (i + u) * lineWidth + v, count: outputWidth)
                            }
                        }
                    }
                    let target = dx + (b * channels + c) * height * width
                    for r in 0..<height {
                        ShortLines.add(padded + (r + padding) * lineWidth + padding, into: target + r * width, count: width)
                    }
                }
            }
        }
    }
}
