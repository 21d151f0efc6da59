import Dispatch
import Neural
import Sampling

/// ε_θ(xₜ, t) for many points at one step t, without a tape: the sampler's hot loop.
///
/// The same arithmetic as `EpsilonMLP` on the tape, arranged for inference: the first
/// layer's product [x, y, temb(t)]·W₁ + b₁ splits into x·W₁[0] + y·W₁[1] + (temb(t)·W₁[2…] + b₁),
/// and the bracket is one row shared by every point at step t, computed once per call.
/// Points are processed in blocks of `blockRows` (activations stay in the L2 cache), and
/// the blocks are spread over `threads` threads, each with its own buffers. Every product
/// runs undivided on the thread of its block (whatever `BLAS.threads` says), so `threads`
/// is the number of cores the network uses.
public final class DenoiserInference: EpsilonPredictor, @unchecked Sendable {
    public static let blockRows = 512

    public let threads: Int
    /// The MLP's inputs and outputs are points in the plane.
    public var dimensions: Int { 2 }
    private let weights: [Tensor]
    private let embedding: SinusoidalEmbedding
    private let width: Int
    /// Per thread: two activation buffers of blockRows × width.
    private let buffers: [(Tensor, Tensor)]
    private let sharedRow: Tensor
    private let embeddingRow: Tensor

    /// `weights` in the order of `EpsilonMLP.parameters` (the live weights or their EMA).
    public init(weights: [Tensor], embedding: SinusoidalEmbedding, threads: Int = 1) {
        precondition(weights.count == 8, "the toy MLP has 4 layers of weight and bias")
        self.weights = weights
        self.embedding = embedding
        self.threads = max(1, threads)
        width = weights[0].columns
        buffers = (0..<max(1, threads)).map { _ in
            (Tensor(zeros: [Self.blockRows, weights[0].columns]), Tensor(zeros: [Self.blockRows, weights[0].columns]))
        }
        sharedRow = Tensor(zeros: [width])
        embeddingRow = Tensor(zeros: [embedding.dimensions])
    }

    public convenience init(model: EpsilonMLP, useAverage ema: ExponentialMovingAverage? = nil, threads: Int = 1) {
        self.init(weights: ema?.averages ?? model.parameters.map(\.value), embedding: model.embedding, threads: threads)
    }

    /// Writes ε_θ for `count` points (x, y interleaved) at model index t − 1 into `output`.
    public func predict(_ points: UnsafePointer<Float>, count: Int, index: Int, into output: UnsafeMutablePointer<Float>) {
        // The shared row temb(t)·W₁[2…] + b₁.
        embedding.write(index, to: embeddingRow.pointer)
        sharedRow.copy(from: weights[1])
        BLAS.gemm(transposeA: false, transposeB: false, m: 1, n: width, k: embedding.dimensions,
                  a: embeddingRow.pointer, lda: embedding.dimensions, b: weights[0].pointer + 2 * width, ldb: width,
                  beta: 1, c: sharedRow.pointer, ldc: width, threads: 1)
        let blocks = (count + Self.blockRows - 1) / Self.blockRows
        if threads == 1 || blocks == 1 {
            for block in 0..<blocks { run(block: block, count: count, points: points, output: output, buffers: buffers[0]) }
            return
        }
        let perThread = (blocks + threads - 1) / threads
        let input = UnsafeSendable(points), target = UnsafeSendable(output)
        DispatchQueue.concurrentPerform(iterations: threads, execute: GemmProfile.inherited { worker in
            let range = min(worker * perThread, blocks)..<min((worker + 1) * perThread, blocks)
            for block in range { self.run(block: block, count: count, points: input.pointer, output: target.pointer, buffers: self.buffers[worker]) }
        })
    }

    private func run(block: Int, count: Int, points: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, buffers: (Tensor, Tensor)) {
        let start = block * Self.blockRows, rows = min(Self.blockRows, count - start)
        let w = width
        var h = buffers.0.pointer, next = buffers.1.pointer
        // Layer 1 from the shared row, then SiLU.
        // (Pointers are formed outside the inner loop: an overflow-checked index there
        // would keep the loop scalar.)
        let wx = weights[0].pointer, wy = weights[0].pointer + w, shared = sharedRow.pointer
        for row in 0..<rows {
            let x = points[2 * (start + row)], y = points[2 * (start + row) + 1]
            let target = h + row * w
            for column in 0..<w {
                let v = shared[column] + x * wx[column] + y * wy[column]
                target[column] = v * FastMath.sigmoid(v)
            }
        }
        // Layers 2 and 3: bias rows, sgemm accumulating onto them, SiLU.
        for layer in 1...2 {
            let weight = weights[2 * layer].pointer, bias = weights[2 * layer + 1].pointer
            for row in 0..<rows { (next + row * w).update(from: bias, count: w) }
            BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: w, k: w, a: h, lda: w, b: weight, ldb: w, beta: 1, c: next, ldc: w, threads: 1)
            for index in 0..<rows * w {
                let v = next[index]
                next[index] = v * FastMath.sigmoid(v)
            }
            swap(&h, &next)
        }
        // Layer 4: two outputs per point, straight into the output rows.
        let b4 = weights[7].pointer, target = output + 2 * start
        for row in 0..<rows {
            target[2 * row] = b4[0]
            target[2 * row + 1] = b4[1]
        }
        BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: 2, k: w, a: h, lda: w, b: weights[6].pointer, ldb: 2, beta: 1, c: target, ldc: 2, threads: 1)
    }
}

/// A raw pointer handed to worker threads that write disjoint ranges.
struct UnsafeSendable<Pointee>: @unchecked Sendable {
    let pointer: Pointee
    init(_ pointer: Pointee) { self.pointer = pointer }
}
