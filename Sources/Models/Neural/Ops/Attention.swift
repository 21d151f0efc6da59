import Dispatch
import Foundation

/// Multi-head scaled dot-product attention (Vaswani et al. 2017), as the self- and
/// cross-attention layers of a U-Net transformer block use it.
///
/// `query` is [batch·Nq, D], `key` and `value` are [batch·Nk, D]; rows b·N ..< (b+1)·N
/// belong to batch item b, and head h reads the columns h·d ..< (h+1)·d, d = D/heads.
/// Forward, for every item and head, with Q [Nq, d], K, V [Nk, d] its blocks:
///   S = Q·Kᵀ/√d,  P = softmax(S) row by row (the row maximum subtracted first),  O = P·V,
/// written into the same rows and columns of the output [batch·Nq, D].
/// Backward, with G = ∂L/∂O of the block:
///   ∂L/∂V += Pᵀ·G,  ∂L/∂P = G·Vᵀ,  ∂L/∂S = P ⊙ (∂L/∂P − rowsum(P ⊙ ∂L/∂P)),
///   ∂L/∂Q += ∂L/∂S·K/√d,  ∂L/∂K += (∂L/∂S)ᵀ·Q/√d.
/// The products run on strided views of each head (row stride D), so no head is copied
/// out except Kᵀ and Vᵀ into one small contiguous block; they go through `SmallMatrix`,
/// 2–4× faster than `cblas_sgemm` at these sizes. Batch items are split between the
/// processors (the results do not depend on how). P is kept for the backward. The same
/// variable may be passed as query, key and value (self-attention): its gradients add up.
extension Tape {
    public func attention(query: Variable, key: Variable, value: Variable, batch: Int, heads: Int) -> Variable {
        attention(query: query, key: key, value: value, batch: batch, heads: heads, mutation: nil)
    }

    /// A deliberate error in the backward, for the test that shows finite differences catch it.
    enum AttentionMutation {
        /// ∂L/∂S = P ⊙ ∂L/∂P: the softmax Jacobian's −rowsum(P ⊙ ∂L/∂P) term dropped.
        case softmaxBackwardWithoutRowSum
    }

    func attention(query: Variable, key: Variable, value: Variable, batch: Int, heads: Int, mutation: AttentionMutation?) -> Variable {
        let q = self.value(query), k = self.value(key), v = self.value(value)
        precondition(q.shape.count == 2 && k.shape.count == 2 && v.shape == k.shape,
                     "attention: query \(q.shape), key \(k.shape), value \(v.shape) (2-D, key and value alike)")
        let width = q.columns
        precondition(batch > 0 && heads > 0 && width % heads == 0 && k.columns == width,
                     "attention: width \(width) with key width \(k.columns) for \(heads) heads")
        precondition(q.rows % batch == 0 && k.rows % batch == 0 && k.rows > 0,
                     "attention: \(q.rows) query and \(k.rows) key rows for a batch of \(batch)")
        let queries = q.rows / batch, keys = k.rows / batch, d = width / heads
        let scale = 1 / Float(d).squareRoot()
        let block = queries * keys
        let units = batch * heads
        let workers = Self.attentionWorkers(units: units, work: block * d)
        let throughBLAS = block * d >= Self.blasWork
        // P of every (item, head) is kept for the backward; inference reuses one block per worker.
        let recording = isRecording
        let probabilities = recording ? scratch([batch, heads, queries, keys]) : scratch([workers, queries, keys])
        let output = scratch([q.rows, width])
        // Kᵀ (Vᵀ in the backward) of one (item, head) as a contiguous [d, Nk] block, per worker;
        // ∂L/∂P and ∂L/∂S of one (item, head), per worker.
        let transposed = scratch([workers, d, keys])
        Self.forEachUnit(units, workers: workers) { worker, range in
            let kt = transposed.pointer + worker * d * keys
            for unit in range {
                let (item, head) = unit.quotientAndRemainder(dividingBy: heads)
                let p = probabilities.pointer + (recording ? unit * block : worker * block)
                let queryOffset = item * queries * width + head * d, keyOffset = item * keys * width + head * d
                if throughBLAS {
                    BLAS.gemm(transposeA: false, transposeB: true, m: queries, n: keys, k: d, alpha: scale, a: q.pointer + queryOffset, lda: width,
                              b: k.pointer + keyOffset, ldb: width, beta: 0, c: p, ldc: keys, threads: 1)
                } else {
                    SmallMatrix.transpose(k.pointer + keyOffset, stride: width, rows: keys, columns: d, into: kt)
                    SmallMatrix.multiply(m: queries, n: keys, k: d, alpha: scale, a: q.pointer + queryOffset, rowStride: width, columnStride: 1,
                                         b: kt, ldb: keys, beta: 0, c: p, ldc: keys)
                }
                Self.softmaxRows(p, rows: queries, columns: keys)
                if throughBLAS {
                    BLAS.gemm(transposeA: false, transposeB: false, m: queries, n: d, k: keys, a: p, lda: keys,
                              b: v.pointer + keyOffset, ldb: width, beta: 0, c: output.pointer + queryOffset, ldc: width, threads: 1)
                } else {
                    SmallMatrix.multiply(m: queries, n: d, k: keys, a: p, rowStride: keys, columnStride: 1,
                                         b: v.pointer + keyOffset, ldb: width, beta: 0, c: output.pointer + queryOffset, ldc: width)
                }
            }
        }
        guard recording else {
            recycle(transposed)
            recycle(probabilities)
            return record(output) { _, _ in }
        }
        return record(output, extras: [probabilities, transposed]) { tape, dy in
            let dq = tape.needsGradient(query) ? tape.gradientToAccumulate(query) : nil
            let dk = tape.needsGradient(key) ? tape.gradientToAccumulate(key) : nil
            let dv = tape.needsGradient(value) ? tape.gradientToAccumulate(value) : nil
            let scores = dq != nil || dk != nil ? tape.scratch([workers, queries, keys]) : nil
            // Workers own disjoint (item, head) units, hence disjoint blocks (the item's rows,
            // the head's columns) of ∂L/∂Q, ∂L/∂K, ∂L/∂V, even when query, key and value are
            // one variable.
            Self.forEachUnit(units, workers: workers) { worker, range in
                let vt = transposed.pointer + worker * d * keys
                for unit in range {
                    let (item, head) = unit.quotientAndRemainder(dividingBy: heads)
                    let p = probabilities.pointer + unit * block
                    let queryOffset = item * queries * width + head * d, keyOffset = item * keys * width + head * d
                    let g = dy.pointer + queryOffset
                    if let dv {
                        SmallMatrix.multiply(m: keys, n: d, k: queries, a: p, rowStride: 1, columnStride: keys,
                                             b: g, ldb: width, beta: 1, c: dv.pointer + keyOffset, ldc: width)
                    }
                    guard let scores else { continue }
                    let ds = scores.pointer + worker * block
                    SmallMatrix.transpose(v.pointer + keyOffset, stride: width, rows: keys, columns: d, into: vt)
                    SmallMatrix.multiply(m: queries, n: keys, k: d, a: g, rowStride: width, columnStride: 1,
                                         b: vt, ldb: keys, beta: 0, c: ds, ldc: keys)
                    if mutation == .softmaxBackwardWithoutRowSum {
                        for index in 0..<block { ds[index] *= p[index] }
                    } else {
                        Self.softmaxRowsBackward(probabilities: p, gradient: ds, rows: queries, columns: keys)
                    }
                    if let dq {
                        SmallMatrix.multiply(m: queries, n: d, k: keys, alpha: scale, a: ds, rowStride: keys, columnStride: 1,
                                             b: k.pointer + keyOffset, ldb: width, beta: 1, c: dq.pointer + queryOffset, ldc: width)
                    }
                    if let dk {
                        SmallMatrix.multiply(m: keys, n: d, k: queries, alpha: scale, a: ds, rowStride: 1, columnStride: keys,
                                             b: q.pointer + queryOffset, ldb: width, beta: 1, c: dk.pointer + keyOffset, ldc: width)
                    }
                }
            }
            if let scores { tape.recycle(scores) }
        }
    }

    /// Multiply-adds per product (queries · keys · head width) from which one head's two
    /// products go to OpenBLAS' sgemm (one thread per head) instead of `SmallMatrix`: only
    /// long sequences (Stable Diffusion's 4096 and 1024 tokens) reach it, where sgemm's
    /// packing pays for itself. The project's own models stay below it (1024 tokens of
    /// width 16 are 2²⁴), so their numbers and the sgemm counts of `latent.compression` are
    /// those of `SmallMatrix`.
    static let blasWork = 1 << 25

    /// One worker per thread of `BLAS.threads` (so a one-thread run uses one core), at most
    /// one per (item, head) unit, and one only for small layers (below ~1M multiply-adds in
    /// all the threads' start-up is not repaid). Units, not items, so that one image with
    /// eight heads (Stable Diffusion's inference) still uses every thread.
    static func attentionWorkers(units: Int, work perUnit: Int, threads: Int = BLAS.threads) -> Int {
        guard units * perUnit >= 1 << 20 else { return 1 }
        return max(1, min(units, threads))
    }

    /// body(worker, units) for `workers` contiguous ranges of 0..<count, in parallel when
    /// workers > 1. Each unit's arithmetic is the same whichever worker runs it, so results
    /// do not depend on the number of workers.
    static func forEachUnit(_ count: Int, workers: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
        guard workers > 1 else { return body(0, 0..<count) }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers, execute: GemmProfile.inherited { worker in
                body(worker, worker * count / workers ..< (worker + 1) * count / workers)
            })
        }
    }

    /// Softmax of each row of a [rows, columns ≥ 1] block in place: pᵢ = exp(sᵢ − max s)/Σⱼ exp(sⱼ − max s).
    static func softmaxRows(_ pointer: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            let s = pointer + row * columns
            let maximum = SmallMatrix.maximum(s, count: columns)
            for column in 0..<columns { s[column] = FastMath.exp(s[column] - maximum) }
            let inverse = 1 / SmallMatrix.sum(s, count: columns)
            for column in 0..<columns { s[column] *= inverse }
        }
    }

    /// The softmax backward of each row in place: g ← p ⊙ (g − Σⱼ pⱼ gⱼ), given p = softmax(s)
    /// and g = ∂L/∂p on entry (∂pᵢ/∂sⱼ = pᵢ(δᵢⱼ − pⱼ)).
    static func softmaxRowsBackward(probabilities: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            let p = probabilities + row * columns, g = gradient + row * columns
            let dot = SmallMatrix.dot(p, g, count: columns)
            for column in 0..<columns { g[column] = p[column] * (g[column] - dot) }
        }
    }
}
