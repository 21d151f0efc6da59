import Testing
@testable import Neural

/// `BLAS.gemm` split into bands of C (one per thread) against a Double reference, for
/// every transposition, for a tall C (bands of rows) and a wide one (bands of columns).
@Suite struct BandedProductTests {
    /// op(A) is m×k, op(B) is k×n; A is stored k×m when transposed, B n×k.
    static func check(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, threads: Int) -> (worst: Double, parts: Int) {
        let a = GradientTests.random([m * k], seed: UInt64(m + 7 * k)), b = GradientTests.random([k * n], seed: UInt64(n + 11 * k))
        let start = GradientTests.random([m * n], seed: 99)
        let c = Tensor(shape: [m * n], values: start.values)
        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
        let (alpha, beta): (Float, Float) = (0.75, 0.5)
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a.pointer, lda: lda,
                  b: b.pointer, ldb: ldb, beta: beta, c: c.pointer, ldc: n, threads: threads)
        // `Tensor.values` copies the storage: read each array once, not per element.
        let (av, bv, cv, c0) = (a.values, b.values, c.values, start.values)
        var worst = 0.0
        for row in 0..<m {
            for column in 0..<n {
                var sum = 0.0, scale = 0.0
                for i in 0..<k {
                    let x = Double(transposeA ? av[i * lda + row] : av[row * lda + i])
                    let y = Double(transposeB ? bv[column * ldb + i] : bv[i * ldb + column])
                    sum += x * y
                    scale += abs(x * y)
                }
                let expected = Double(alpha) * sum + Double(beta) * Double(c0[row * n + column])
                let error = abs(Double(cv[row * n + column]) - expected) / (Double(alpha) * scale + abs(Double(beta) * Double(c0[row * n + column])))
                worst = max(worst, error)
            }
        }
        return (worst, BLAS.partCount(m: m, n: n, k: k, threads: threads))
    }

    @Test(arguments: [(200, 72, 150), (40, 300, 130)], [false, true])
    func bandsMatchTheReference(shape: (Int, Int, Int), transposeA: Bool) {
        for transposeB in [false, true] {
            for threads in [2, 3] {
                let (worst, parts) = Self.check(m: shape.0, n: shape.1, k: shape.2, transposeA: transposeA, transposeB: transposeB, threads: threads)
                #expect(parts == threads, "the product must be split, to test the bands")
                // The Float32 rounding bound for sums of k ≤ 150 terms: k·2⁻²⁴ ≈ 9e-6 of Σ|aᵢbᵢ|.
                #expect(worst < 1e-5, "m \(shape.0) n \(shape.1) k \(shape.2) transposeA \(transposeA) transposeB \(transposeB) threads \(threads): \(worst)")
            }
        }
    }

    /// The bands tile 0..<length without gap or overlap, each starting on a multiple of 16.
    @Test func bandsTileTheLength() {
        for length in [16, 17, 72, 200, 301] {
            for parts in 1...4 {
                let starts = (0...parts).map { BLAS.bandStart($0, of: parts, length: length) }
                #expect(starts.first == 0 && starts.last == length)
                #expect(zip(starts, starts.dropFirst()).allSatisfy { $0 <= $1 })
                #expect(starts.dropLast().allSatisfy { $0 % BLAS.bandAlignment == 0 })
            }
        }
        #expect(BLAS.partCount(m: 8, n: 8, k: 8, threads: 2) == 1, "a small product runs undivided")
        #expect(BLAS.partCount(m: 512, n: 512, k: 512, threads: 1) == 1)
    }
}
