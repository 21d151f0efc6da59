import CGSL
import Dispatch
import Synchronization

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
        let profiling = profile.isOn
        let began = profiling ? DispatchTime.now().uptimeNanoseconds : 0
        defer { if profiling { profile.add(nanoseconds: DispatchTime.now().uptimeNanoseconds - began, flops: 2 * m * n * k) } }
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

    /// Time and work spent in `gemm` while switched on (for `lessons bench unet`, which
    /// reports the share of a training step spent in sgemm).
    public static let profile = GemmProfile()

    /// The number of threads OpenBLAS uses for one call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}

/// Accumulated time and floating-point operations of `BLAS.gemm` calls, counted only while on.
public final class GemmProfile: Sendable {
    private let on = Atomic<Bool>(false)
    private let elapsed = Atomic<Int>(0)
    private let operations = Atomic<Int>(0)

    var isOn: Bool { on.load(ordering: .relaxed) }

    func add(nanoseconds: UInt64, flops: Int) {
        elapsed.add(Int(nanoseconds), ordering: .relaxed)
        operations.add(flops, ordering: .relaxed)
    }

    /// Zeroes the counters and starts counting.
    public func start() {
        elapsed.store(0, ordering: .relaxed)
        operations.store(0, ordering: .relaxed)
        on.store(true, ordering: .relaxed)
    }

    /// Stops counting; returns the seconds and the floating-point operations counted.
    public func stop() -> (seconds: Double, flops: Double) {
        on.store(false, ordering: .relaxed)
        return (Double(elapsed.load(ordering: .relaxed)) / 1e9, Double(operations.load(ordering: .relaxed)))
    }
}
