/// The 3×3, stride-1, padding-1 convolution (every "same" convolution of the project's
/// models) through Winograd's F(2×2, 3×3) (WinogradTransform.swift): the output planes are
/// cut into ⌈H/2⌉ × ⌈W/2⌉ tiles of 2×2, tile (t, s) reading the 4×4 input tile at rows
/// 2t − 1 … 2t + 2 and columns 2s − 1 … 2s + 2 (zero outside the image), so
///   y[b, o, 2t + r, 2s + q] = bias[o] + Σ_c (Aᵀ[U[o, c] ⊙ V[c, b, t, s]]A)[r, q]
/// with U[o, c] = G w[o, c] Gᵀ and V[c, b, t, s] = Bᵀ d[c, b, t, s] B. Per batch chunk:
/// V [16, Cin, n·T] (T tiles per sample, column (b − start)·T + t·⌈W/2⌉ + s), then the 16
/// products M[ξ] = U[ξ]·V[ξ] [Cout, n·T], then the output transform into NCHW. Against
/// im2col + one product of [Cout, 9·Cin]·[9·Cin, n·H·W] this does 2.25× fewer multiply-adds
/// and writes 16·T = 4·H·W (for even sizes) floats per channel instead of 9·H·W.
///
/// Backward (the chain rule through the same steps, see WinogradTransform): ∂L/∂M from ∂L/∂y,
/// ∂L/∂U[ξ] += ∂L/∂M[ξ]·V[ξ]ᵀ over the chunks (V rebuilt per chunk), ∂L/∂V[ξ] = U[ξ]ᵀ·∂L/∂M[ξ]
/// added back into ∂L/∂x tile by tile (tiles overlap by two pixels), and at the end
/// ∂L/∂w[o, c] += Gᵀ ∂L/∂U[o, c] G.
extension Tape {
    func conv2dWinograd<Transform: WinogradTransform>(
        _ x: Variable, weight: Variable, bias: Variable?, geometry g: ConvolutionGeometry, using _: Transform.Type
    ) -> Variable {
        precondition(g.hasWinograd, "conv2dWinograd: kernel \(g.kernelHeight)×\(g.kernelWidth), stride \(g.stride), padding \(g.padding)")
        let input = value(x), w = value(weight), biasValue = bias.map { value($0) }
        let tiles = WinogradTiles(g)
        let output = scratch([g.batch, g.outputChannels, g.height, g.width])
        let transformedWeight = scratch([16, tiles.kernelPlaneStride])
        tiles.transformKernel(w, into: transformedWeight, Transform.self)
        let chunk = tiles.batchChunk
        let v = scratch([16, tiles.planeStride(g.channels, samples: chunk)]), m = scratch([16, tiles.planeStride(g.outputChannels, samples: chunk)])
        for start in Swift.stride(from: 0, to: g.batch, by: chunk) {
            let batches = start..<min(start + chunk, g.batch)
            tiles.transformInput(input, batches: batches, into: v, Transform.self)
            tiles.multiply(transformedWeight, v, into: m, batches: batches, transposeWeight: false)
            tiles.transformOutput(m, batches: batches, bias: biasValue, into: output, Transform.self)
        }
        recycle(v); recycle(m)

        return record(output, extras: [transformedWeight]) { tape, dy in
            if let bias, tape.needsGradient(bias) { g.addBiasGradient(dy, into: tape.gradientToAccumulate(bias)) }
            let wantsInput = tape.needsGradient(x), wantsWeight = tape.needsGradient(weight)
            guard wantsInput || wantsWeight else { return }
            let v = tape.scratch([16, tiles.planeStride(g.channels, samples: chunk)])
            let dm = tape.scratch([16, tiles.planeStride(g.outputChannels, samples: chunk)])
            let du = wantsWeight ? tape.scratch([16, tiles.kernelPlaneStride]) : nil
            for start in Swift.stride(from: 0, to: g.batch, by: chunk) {
                let batches = start..<min(start + chunk, g.batch)
                tiles.transformOutputGradient(dy, batches: batches, into: dm, Transform.self)
                if let du {
                    tiles.transformInput(input, batches: batches, into: v, Transform.self)
                    tiles.accumulateKernelGradient(dm, v, into: du, batches: batches, first: start == 0)
                }
                if wantsInput {
                    // ∂L/∂V takes V's place once ∂L/∂U has read it.
                    tiles.multiply(transformedWeight, dm, into: v, batches: batches, transposeWeight: true)
                    tiles.addInputGradient(v, batches: batches, into: tape.gradientToAccumulate(x), Transform.self)
                }
            }
            if let du {
                tiles.addKernelGradient(du, into: tape.gradientToAccumulate(weight), Transform.self)
                tape.recycle(du)
            }
            tape.recycle(v); tape.recycle(dm)
        }
    }
}

extension ConvolutionGeometry {
    /// A 3×3 kernel, stride 1 and padding 1: the output has the input's size.
    var hasWinograd: Bool { kernelHeight == 3 && kernelWidth == 3 && stride == 1 && padding == 1 }
}

/// The tile layout of `conv2dWinograd` and its transforms between NCHW and the 16 planes.
struct WinogradTiles: Sendable {
    let g: ConvolutionGeometry
    /// Tiles per row and per column: ⌈W/2⌉ and ⌈H/2⌉.
    let across, down: Int

    init(_ geometry: ConvolutionGeometry) {
        g = geometry
        across = (geometry.width + 1) / 2
        down = (geometry.height + 1) / 2
    }

    /// Tiles of one sample plane.
    var perSample: Int { across * down }

    /// The distance between two of the 16 planes of V or M ([rows, n·T] each) for `samples`
    /// samples: 16 floats more than a plane, so that the 16 values of one tile, written and
    /// read together, do not fall into one cache set (plane sizes are often multiples of
    /// 4 KB, and L1 has only 8 ways; measured: the transforms ran ~3× slower without).
    func planeStride(_ rows: Int, samples: Int) -> Int { rows * samples * perSample + 16 }

    /// The same for the planes of U and ∂L/∂U, [Cout, Cin] each.
    var kernelPlaneStride: Int { g.outputChannels * g.channels + 16 }

    /// Samples per chunk: V and M of one chunk hold at most `columnBudget` floats each.
    var batchChunk: Int { max(1, min(g.batch, g.columnBudget / (16 * max(g.channels, g.outputChannels) * perSample))) }

    /// The input plane with a zero border: row r + 1, column q + 1 holds x[r, q], and the
    /// plane is large enough for every tile (2·down + 2 rows of 2·across + 2).
    private var paddedWidth: Int { 2 * across + 2 }
    private var paddedCount: Int { (2 * down + 2) * paddedWidth }

    /// U[ξ, o, c] = (G w[o, c] Gᵀ)ᵀ at ξ; split over the output channels.
    func transformKernel<T: WinogradTransform>(_ w: Tensor, into u: Tensor, _: T.Type) {
        let outputs = g.outputChannels, channels = g.channels, stride = kernelPlaneStride
        Parts.run(outputs, work: 16 * outputs * channels) { part in
            for o in part {
                for c in 0..<channels {
                    let k = w.pointer + (o * channels + c) * 9
                    let tile = T.kernelTile(Tile4(r0: SIMD4(k[0], k[1], k[2], 0), r1: SIMD4(k[3], k[4], k[5], 0),
                                                  r2: SIMD4(k[6], k[7], k[8], 0), r3: .zero))
                    Self.store(tile, to: u.pointer + o * channels + c, stride: stride)
                }
            }
        }
    }

    /// ∂L/∂w[o, c] += Gᵀ ∂L/∂U[o, c] G; split over the output channels.
    func addKernelGradient<T: WinogradTransform>(_ du: Tensor, into dw: Tensor, _: T.Type) {
        let outputs = g.outputChannels, channels = g.channels, stride = kernelPlaneStride
        Parts.run(outputs, work: 16 * outputs * channels) { part in
            for o in part {
                for c in 0..<channels {
                    let tile = T.kernelAdjointTile(Self.load(du.pointer + o * channels + c, stride: stride))
                    let k = dw.pointer + (o * channels + c) * 9
                    for q in 0..<3 {
                        k[q] += tile.r0[q]; k[3 + q] += tile.r1[q]; k[6 + q] += tile.r2[q]
                    }
                }
            }
        }
    }

    /// V[ξ, c, (b − start)·T + t·across + s] = (Bᵀ d B)ᵀ at ξ for the 4×4 tile d of
    /// x[b, c] at rows 2t − 1 …, columns 2s − 1 …; split over the input channels.
    func transformInput<T: WinogradTransform>(_ x: Tensor, batches: Range<Int>, into v: Tensor, _: T.Type) {
        let (channels, height, width, columns) = (g.channels, g.height, g.width, batches.count * perSample)
        let stride = planeStride(channels, samples: batches.count)
        let (across, down, perSample, paddedWidth) = (across, down, perSample, paddedWidth)
        overInputPlanes(batches: batches) { c, b, padded in
            // Only the interior is written: the border stays zero.
            let source = x.pointer + (b * channels + c) * height * width
            for r in 0..<height {
                ShortLines.copy(source + r * width, to: padded + (r + 1) * paddedWidth + 1, count: width)
            }
            let target = v.pointer + c * columns + (b - batches.lowerBound) * perSample
            for t in 0..<down {
                var s = 0
                while s + 4 <= across {
                    Self.inputFour(padded + 2 * t * paddedWidth + 2 * s, paddedWidth, to: target + t * across + s, stride: stride, T.self)
                    s += 4
                }
                for s in s..<across {
                    let corner = padded + 2 * t * paddedWidth + 2 * s
                    let d = Tile4(r0: Self.row(corner), r1: Self.row(corner + paddedWidth),
                                  r2: Self.row(corner + 2 * paddedWidth), r3: Self.row(corner + 3 * paddedWidth))
                    Self.store(T.inputTile(d), to: target + t * across + s, stride: stride)
                }
            }
        }
    }

    /// Runs `body(c, b, padded)` for every input plane of `batches`, split over the input
    /// channels; each part has its own padded plane (`paddedCount` floats), zeroed once.
    private func overInputPlanes(batches: Range<Int>, _ body: @escaping @Sendable (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        let (channels, paddedCount) = (g.channels, paddedCount)
        Parts.run(channels, work: 16 * channels * batches.count * perSample) { part in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedCount) { buffer in
                let padded = buffer.baseAddress!
                padded.initialize(repeating: 0, count: paddedCount)
                for c in part {
                    for b in batches { body(c, b, padded) }
                }
            }
        }
    }

    /// ∂L/∂x[b, c] += B ∂L/∂V Bᵀ of every tile at its place (overlapping tiles add up);
    /// split over the input channels.
    func addInputGradient<T: WinogradTransform>(_ dv: Tensor, batches: Range<Int>, into dx: Tensor, _: T.Type) {
        let (channels, height, width, columns) = (g.channels, g.height, g.width, batches.count * perSample)
        let stride = planeStride(channels, samples: batches.count)
        let (across, down, perSample, paddedWidth, paddedCount) = (across, down, perSample, paddedWidth, paddedCount)
        overInputPlanes(batches: batches) { c, b, padded in
            padded.initialize(repeating: 0, count: paddedCount)
            let source = dv.pointer + c * columns + (b - batches.lowerBound) * perSample
            for t in 0..<down {
                var s = 0
                while s + 4 <= across {
                    Self.addInputGradientFour(Self.loadFour(source + t * across + s, stride: stride),
                                              into: padded + 2 * t * paddedWidth + 2 * s, paddedWidth, T.self)
                    s += 4
                }
                for s in s..<across {
                    let tile = T.inputAdjointTile(Self.load(source + t * across + s, stride: stride))
                    let corner = padded + 2 * t * paddedWidth + 2 * s
                    Self.addRow(tile.r0, at: corner)
                    Self.addRow(tile.r1, at: corner + paddedWidth)
                    Self.addRow(tile.r2, at: corner + 2 * paddedWidth)
                    Self.addRow(tile.r3, at: corner + 3 * paddedWidth)
                }
            }
            let target = dx.pointer + (b * channels + c) * height * width
            for r in 0..<height {
                ShortLines.add(padded + (r + 1) * paddedWidth + 1, into: target + r * width, count: width)
            }
        }
    }

    /// y[b, o, 2t + r, 2s + q] = bias[o] + (Aᵀ M A)[r, q] for the tile's M, inside the
    /// image; split over the output channels.
    func transformOutput<T: WinogradTransform>(_ m: Tensor, batches: Range<Int>, bias: Tensor?, into y: Tensor, _: T.Type) {
        let (outputs, height, width, columns) = (g.outputChannels, g.height, g.width, batches.count * perSample)
        let stride = planeStride(outputs, samples: batches.count)
        let (across, down, perSample, fourAtOnce) = (across, down, perSample, evenWidth)
        Parts.run(outputs, work: 16 * outputs * columns) { part in
            for o in part {
                let shift = bias?.pointer[o] ?? 0
                for b in batches {
                    let source = m.pointer + o * columns + (b - batches.lowerBound) * perSample
                    let target = y.pointer + (b * outputs + o) * height * width
                    for t in 0..<down {
                        var s = 0
                        while fourAtOnce && s + 4 <= across {
                            let (top, bottom) = Self.outputFour(Self.loadFour(source + t * across + s, stride: stride), T.self)
                            let line = target + 2 * t * width + 2 * s
                            Self.setEight(line, top + shift)
                            if 2 * t + 1 < height { Self.setEight(line + width, bottom + shift) }
                            s += 4
                        }
                        for s in s..<across {
                            let tile = T.outputTile(Self.load(source + t * across + s, stride: stride))
                            let (i, j) = (2 * t, 2 * s)
                            target[i * width + j] = tile.r0[0] + shift
                            if j + 1 < width { target[i * width + j + 1] = tile.r0[1] + shift }
                            guard i + 1 < height else { continue }
                            target[(i + 1) * width + j] = tile.r1[0] + shift
                            if j + 1 < width { target[(i + 1) * width + j + 1] = tile.r1[1] + shift }
                        }
                    }
                }
            }
        }
    }

    /// ∂L/∂M[ξ, o, (b − start)·T + tile] = (A ∂L/∂Y Aᵀ)ᵀ at ξ for the tile's 2×2 ∂L/∂y
    /// (zero outside the image); split over the output channels.
    func transformOutputGradient<T: WinogradTransform>(_ dy: Tensor, batches: Range<Int>, into dm: Tensor, _: T.Type) {
        let (outputs, height, width, columns) = (g.outputChannels, g.height, g.width, batches.count * perSample)
        let stride = planeStride(outputs, samples: batches.count)
        let (across, down, perSample, fourAtOnce) = (across, down, perSample, evenWidth)
        Parts.run(outputs, work: 16 * outputs * columns) { part in
            for o in part {
                for b in batches {
                    let source = dy.pointer + (b * outputs + o) * height * width
                    let target = dm.pointer + o * columns + (b - batches.lowerBound) * perSample
                    for t in 0..<down {
                        var s = 0
                        while fourAtOnce && s + 4 <= across {
                            let line = source + 2 * t * width + 2 * s
                            let top = Self.eight(line), bottom = 2 * t + 1 < height ? Self.eight(line + width) : .zero
                            Self.outputGradientFour(top, bottom, to: target + t * across + s, stride: stride, T.self)
                            s += 4
                        }
                        for s in s..<across {
                            let (i, j) = (2 * t, 2 * s)
                            let right = j + 1 < width, below = i + 1 < height
                            let top = SIMD4(source[i * width + j], right ? source[i * width + j + 1] : 0, 0, 0)
                            let bottom = below ? SIMD4(source[(i + 1) * width + j], right ? source[(i + 1) * width + j + 1] : 0, 0, 0) : .zero
                            let tile = T.outputAdjointTile(Tile4(r0: top, r1: bottom, r2: .zero, r3: .zero))
                            Self.store(tile, to: target + t * across + s, stride: stride)
                        }
                    }
                }
            }
        }
    }

    /// M[ξ] = U[ξ]·V[ξ] [Cout, n·T], or with `transposeWeight` ∂L/∂V[ξ] = U[ξ]ᵀ·∂L/∂M[ξ] [Cin, n·T].
    func multiply(_ u: Tensor, _ right: Tensor, into product: Tensor, batches: Range<Int>, transposeWeight: Bool) {
        let (outputs, channels, width) = (g.outputChannels, g.channels, batches.count * perSample)
        let (rows, inner) = transposeWeight ? (channels, outputs) : (outputs, channels)
        let (rightStride, productStride) = (planeStride(inner, samples: batches.count), planeStride(rows, samples: batches.count))
        let kernelPlaneStride = kernelPlaneStride
        Self.inParallel(work: rows * width * inner) { xi in
            BLAS.gemm(transposeA: transposeWeight, transposeB: false, m: rows, n: width, k: inner,
                      a: u.pointer + xi * kernelPlaneStride, lda: channels, b: right.pointer + xi * rightStride, ldb: width,
                      beta: 0, c: product.pointer + xi * productStride, ldc: width, threads: 1)
        }
    }

    /// ∂L/∂U[ξ] (+)= ∂L/∂M[ξ]·V[ξ]ᵀ [Cout, Cin]; the first chunk overwrites.
    func accumulateKernelGradient(_ dm: Tensor, _ v: Tensor, into du: Tensor, batches: Range<Int>, first: Bool) {
        let (outputs, channels, width) = (g.outputChannels, g.channels, batches.count * perSample)
        let (dmStride, vStride) = (planeStride(outputs, samples: batches.count), planeStride(channels, samples: batches.count))
        let kernelPlaneStride = kernelPlaneStride
        Self.inParallel(work: outputs * channels * width) { xi in
            BLAS.gemm(transposeA: false, transposeB: true, m: outputs, n: channels, k: width,
                      a: dm.pointer + xi * dmStride, lda: width, b: v.pointer + xi * vStride, ldb: width,
                      beta: first ? 0 : 1, c: du.pointer + xi * kernelPlaneStride, ldc: channels, threads: 1)
        }
    }

    /// Runs `product` for ξ = 0…15, the 16 independent products split over the threads (each
    /// undivided, so every result is the same whichever thread count runs it) when one of
    /// them has `work` ≥ `BLAS.parallelWork` multiply-adds; BLAS splitting each product into
    /// bands instead measured 10–15 % slower at 2 threads.
    private static func inParallel(work: Int, _ product: @escaping @Sendable (Int) -> Void) {
        Parts.run(16, work: work, minimumWork: BLAS.parallelWork) { positions in
            for xi in positions { product(xi) }
        }
    }

    /// Output planes whose rows hold whole tiles, where four tiles side by side cover eight
    /// consecutive pixels of a row.
    private var evenWidth: Bool { g.width % 2 == 0 }

    // Four tiles side by side (s … s + 3 of one tile row) at once, one tile per SIMD lane,
    // through the same 1-D maps in the same order as the one-tile functions (so V, M, y and
    // ∂L/∂M are the same bit for bit; ∂L/∂x adds overlapping tiles in another order). A
    // `Tile4` here holds one entry of four tiles in each row.

    /// V of four tiles: entry (k, j) to element 4j + k (`storeFour`), from the padded plane at
    /// the first tile's corner. Row r's columns 2s + q (q = 0…3) are the even and odd halves
    /// of the eight floats at 2s and at 2s + 2.
    @inline(__always) private static func inputFour<T: WinogradTransform>(
        _ corner: UnsafePointer<Float>, _ lineWidth: Int, to target: UnsafeMutablePointer<Float>, stride: Int, _: T.Type
    ) {
        let lines = (eight(corner), eight(corner + lineWidth), eight(corner + 2 * lineWidth), eight(corner + 3 * lineWidth))
        let shifted = (eight(corner + 2), eight(corner + lineWidth + 2), eight(corner + 2 * lineWidth + 2), eight(corner + 3 * lineWidth + 2))
        // Across the rows, for each column q: Bᵀd.
        let c0 = T.input(Tile4(r0: lines.0.evenHalf, r1: lines.1.evenHalf, r2: lines.2.evenHalf, r3: lines.3.evenHalf))
        let c1 = T.input(Tile4(r0: lines.0.oddHalf, r1: lines.1.oddHalf, r2: lines.2.oddHalf, r3: lines.3.oddHalf))
        let c2 = T.input(Tile4(r0: shifted.0.evenHalf, r1: shifted.1.evenHalf, r2: shifted.2.evenHalf, r3: shifted.3.evenHalf))
        let c3 = T.input(Tile4(r0: shifted.0.oddHalf, r1: shifted.1.oddHalf, r2: shifted.2.oddHalf, r3: shifted.3.oddHalf))
        // Then across the columns, for each row k of Bᵀd: row j of the result is entry (k, j).
        let k0 = T.input(Tile4(r0: c0.r0, r1: c1.r0, r2: c2.r0, r3: c3.r0)), k1 = T.input(Tile4(r0: c0.r1, r1: c1.r1, r2: c2.r1, r3: c3.r1))
        let k2 = T.input(Tile4(r0: c0.r2, r1: c1.r2, r2: c2.r2, r3: c3.r2)), k3 = T.input(Tile4(r0: c0.r3, r1: c1.r3, r2: c2.r3, r3: c3.r3))
        storeFour(k0, k1, k2, k3, to: target, stride: stride)
    }

    /// Rows 2t and 2t + 1 (eight pixels each) of four tiles' Aᵀ M A from their M.
    @inline(__always) private static func outputFour<T: WinogradTransform>(_ m: [16 of SIMD4<Float>], _: T.Type) -> (SIMD8<Float>, SIMD8<Float>) {
        // Across j for each k (element 4j + k), then across k for each output column.
        let z0 = T.output(Tile4(r0: m[0], r1: m[4], r2: m[8], r3: m[12])), z1 = T.output(Tile4(r0: m[1], r1: m[5], r2: m[9], r3: m[13]))
        let z2 = T.output(Tile4(r0: m[2], r1: m[6], r2: m[10], r3: m[14])), z3 = T.output(Tile4(r0: m[3], r1: m[7], r2: m[11], r3: m[15]))
        let left = T.output(Tile4(r0: z0.r0, r1: z1.r0, r2: z2.r0, r3: z3.r0)), right = T.output(Tile4(r0: z0.r1, r1: z1.r1, r2: z2.r1, r3: z3.r1))
        return (interleave(left.r0, right.r0), interleave(left.r1, right.r1))
    }

    /// Four tiles' ∂L/∂M (`storeFour`) from rows 2t and 2t + 1 of ∂L/∂y (eight pixels each).
    @inline(__always) private static func outputGradientFour<T: WinogradTransform>(
        _ top: SIMD8<Float>, _ bottom: SIMD8<Float>, to target: UnsafeMutablePointer<Float>, stride: Int, _: T.Type
    ) {
        // Across the rows for each column, then across the columns for each row k.
        let left = T.outputAdjoint(Tile4(r0: top.evenHalf, r1: bottom.evenHalf, r2: .zero, r3: .zero))
        let right = T.outputAdjoint(Tile4(r0: top.oddHalf, r1: bottom.oddHalf, r2: .zero, r3: .zero))
        let k0 = T.outputAdjoint(Tile4(r0: left.r0, r1: right.r0, r2: .zero, r3: .zero)), k1 = T.outputAdjoint(Tile4(r0: left.r1, r1: right.r1, r2: .zero, r3: .zero))
        let k2 = T.outputAdjoint(Tile4(r0: left.r2, r1: right.r2, r2: .zero, r3: .zero)), k3 = T.outputAdjoint(Tile4(r0: left.r3, r1: right.r3, r2: .zero, r3: .zero))
        storeFour(k0, k1, k2, k3, to: target, stride: stride)
    }

    /// Adds four tiles' B ∂L/∂V Bᵀ into the padded plane at the first tile's corner: in row r,
    /// columns q = 0, 1 interleave into the eight floats at 2s, columns 2, 3 into those at 2s + 2.
    @inline(__always) private static func addInputGradientFour<T: WinogradTransform>(
        _ dv: [16 of SIMD4<Float>], into corner: UnsafeMutablePointer<Float>, _ lineWidth: Int, _: T.Type
    ) {
        // Across j for each k (element 4j + k), then across k for each column q.
        let p0 = T.inputAdjoint(Tile4(r0: dv[0], r1: dv[4], r2: dv[8], r3: dv[12])), p1 = T.inputAdjoint(Tile4(r0: dv[1], r1: dv[5], r2: dv[9], r3: dv[13]))
        let p2 = T.inputAdjoint(Tile4(r0: dv[2], r1: dv[6], r2: dv[10], r3: dv[14])), p3 = T.inputAdjoint(Tile4(r0: dv[3], r1: dv[7], r2: dv[11], r3: dv[15]))
        let q0 = T.inputAdjoint(Tile4(r0: p0.r0, r1: p1.r0, r2: p2.r0, r3: p3.r0)), q1 = T.inputAdjoint(Tile4(r0: p0.r1, r1: p1.r1, r2: p2.r1, r3: p3.r1))
        let q2 = T.inputAdjoint(Tile4(r0: p0.r2, r1: p1.r2, r2: p2.r2, r3: p3.r2)), q3 = T.inputAdjoint(Tile4(r0: p0.r3, r1: p1.r3, r2: p2.r3, r3: p3.r3))
        @inline(__always) func add(_ line: UnsafeMutablePointer<Float>, _ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, _ d: SIMD4<Float>) {
            setEight(line, eight(line) + interleave(a, b))
            setEight(line + 2, eight(line + 2) + interleave(c, d))
        }
        add(corner, q0.r0, q1.r0, q2.r0, q3.r0)
        add(corner + lineWidth, q0.r1, q1.r1, q2.r1, q3.r1)
        add(corner + 2 * lineWidth, q0.r2, q1.r2, q2.r2, q3.r2)
        add(corner + 3 * lineWidth, q0.r3, q1.r3, q2.r3, q3.r3)
    }

    /// (a₀, b₀, a₁, b₁, a₂, b₂, a₃, b₃).
    @inline(__always) private static func interleave(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD8<Float> {
        SIMD8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
    }

    @inline(__always) private static func eight(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) private static func setEight(_ p: UnsafeMutablePointer<Float>, _ values: SIMD8<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: values, as: SIMD8<Float>.self)
    }

    /// Entry (k, j) of four tiles, row j of `rows[k]` (one tile per lane), to element
    /// e = 4j + k: p[e·stride ..< e·stride + 4].
    @inline(__always) private static func storeFour(_ k0: Tile4, _ k1: Tile4, _ k2: Tile4, _ k3: Tile4, to p: UnsafeMutablePointer<Float>, stride: Int) {
        @inline(__always) func put(_ e: Int, _ values: SIMD4<Float>) {
            UnsafeMutableRawPointer(p + e * stride).storeBytes(of: values, as: SIMD4<Float>.self)
        }
        put(0, k0.r0); put(1, k1.r0); put(2, k2.r0); put(3, k3.r0)
        put(4, k0.r1); put(5, k1.r1); put(6, k2.r1); put(7, k3.r1)
        put(8, k0.r2); put(9, k1.r2); put(10, k2.r2); put(11, k3.r2)
        put(12, k0.r3); put(13, k1.r3); put(14, k2.r3); put(15, k3.r3)
    }

    /// Element e = 4j + k of four tiles (one per lane), as `storeFour` wrote it.
    @inline(__always) private static func loadFour(_ p: UnsafePointer<Float>, stride: Int) -> [16 of SIMD4<Float>] {
        InlineArray { e in UnsafeRawPointer(p + e * stride).loadUnaligned(as: SIMD4<Float>.self) }
    }

    @inline(__always) private static func row(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always) private static func addRow(_ values: SIMD4<Float>, at p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: row(p) + values, as: SIMD4<Float>.self)
    }

    /// Element [j][k] of a transposed tile to p[(4j + k)·stride].
    @inline(__always) private static func store(_ tile: Tile4, to p: UnsafeMutablePointer<Float>, stride: Int) {
        for k in 0..<4 {
            p[k * stride] = tile.r0[k]; p[(4 + k) * stride] = tile.r1[k]
            p[(8 + k) * stride] = tile.r2[k]; p[(12 + k) * stride] = tile.r3[k]
        }
    }

    /// The inverse of `store`.
    @inline(__always) private static func load(_ p: UnsafePointer<Float>, stride: Int) -> Tile4 {
        func row(_ j: Int) -> SIMD4<Float> {
            SIMD4(p[4 * j * stride], p[(4 * j + 1) * stride], p[(4 * j + 2) * stride], p[(4 * j + 3) * stride])
        }
        return Tile4(r0: row(0), r1: row(1), r2: row(2), r3: row(3))
    }
}
