import CGSL

/// Matrix products through OpenBLAS' `cblas_sgemm` (the module links libopenblas and
/// never GSL's reference CBLAS; `Stochastic.blasLibraryPath()` proves which one binds).
public enum BLAS {
    /// The longest inner dimension handed to one sgemm call. OpenBLAS 0.3.21's Zen kernel
    /// runs a 128×128×256 product at ~10 GFLOP/s but two 128×128×128 halves (the second
    /// accumulating) at ~37 GFLOP/s on this project's 2-core machine, so longer inner
    /// dimensions are cut into blocks. Re-measure with `lessons bench gemm`.
    public static let innerBlock = 128

    /// C = α·op(A)·op(B) + β·C, row-major; op(A) is m×k, op(B) is k×n, C is m×n.
    /// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // An empty sum: C = β·C.
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
            return
        }
        var start = 0
        while start < k {
            let width = min(innerBlock, k - start)
            // Row-major op(A) columns start..<start+width: offset along A's columns, or
            // along its rows when A is stored transposed; likewise for B's rows.
            let aBlock = transposeA ? a + start * lda : a + start
            let bBlock = transposeB ? b + start : b + start * ldb
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(width), alpha, aBlock, Int32(lda), bBlock, Int32(ldb),
                start == 0 ? beta : 1, c, Int32(ldc)
            )
            start += width
        }
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
