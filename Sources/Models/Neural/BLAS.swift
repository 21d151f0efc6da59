import CGSL
import Dispatch
import Synchronization

/// Matrix products through OpenBLAS' `cblas_sgemm` (the module links libopenblas and
/// never GSL's reference CBLAS; `Stochastic.blasLibraryPath()` proves which one binds).
public enum BLAS {
    /// The longest inner dimension handed to one sgemm call. It was chosen when OpenBLAS
    /// 0.3.21's Zen kernel ran a 128×128×256 product at ~10 GFLOP/s but two 128×128×128
    /// halves (the second accumulating) at ~37 GFLOP/s. Those figures came from OpenBLAS'
    /// slow fresh-process state (see `warmUp`): after the warm-up both run at ~35 GFLOP/s,
    /// and U-Net training measures the same with blocks of 128, 192, 256 or none. The blocks
    /// stay because they fix the order of the sums, which the committed checkpoints'
    /// training runs reproduce bit for bit.
    public static let innerBlock = 128

    /// C = α·op(A)·op(B) + β·C, row-major; op(A) is m×k, op(B) is k×n, C is m×n.
    /// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored. A large product is
    /// split into `threads` bands of C that run in parallel.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = BLAS.threads
    ) {
        guard m > 0, n > 0 else { return }
        _ = startingThreads
        let parts = k > 0 ? partCount(m: m, n: n, k: k, threads: threads) : 1
        let profile = GemmProfile.current
        let began = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
        defer {
            // Core-seconds: a product split into bands keeps `parts` cores busy.
            profile?.add(nanoseconds: (DispatchTime.now().uptimeNanoseconds - began) * UInt64(parts), flops: 2 * m * n * k)
        }
        guard k > 0 else {
            // An empty sum: C = β·C.
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
            return
        }
        guard parts > 1 else {
            return blocked(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
        // Each part owns a band of C's columns (or rows, when C is tall), so the parts write
        // disjoint memory. The last Float32 digits can differ from an undivided call (the
        // kernel's edge tiles fall elsewhere): results depend on the thread count, as they
        // did with OpenBLAS' own threads, and are reproducible for a given count.
        let (a, b, c) = (UInt(bitPattern: a), UInt(bitPattern: b), UInt(bitPattern: c))
        let alongColumns = n >= m
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let a = UnsafePointer<Float>(bitPattern: a)!, b = UnsafePointer<Float>(bitPattern: b)!
            let c = UnsafeMutablePointer<Float>(bitPattern: c)!
            let length = alongColumns ? n : m
            let low = bandStart(part, of: parts, length: length), high = bandStart(part + 1, of: parts, length: length)
            guard high > low else { return }
            if alongColumns {
                blocked(transposeA: transposeA, transposeB: transposeB, m: m, n: high - low, k: k, alpha: alpha,
                        a: a, lda: lda, b: transposeB ? b + low * ldb : b + low, ldb: ldb, beta: beta, c: c + low, ldc: ldc)
            } else {
                blocked(transposeA: transposeA, transposeB: transposeB, m: high - low, n: n, k: k, alpha: alpha,
                        a: transposeA ? a + low : a + low * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + low * ldc, ldc: ldc)
            }
        }
    }

    /// Below this many multiply-adds a product runs undivided: the second thread's start-up
    /// (a few µs) is not repaid.
    static let parallelWork = 1 << 20

    /// How many bands `gemm` splits C into: one per thread for large products.
    static func partCount(m: Int, n: Int, k: Int, threads: Int) -> Int {
        guard threads > 1, m * n * k >= parallelWork else { return 1 }
        return max(1, min(threads, max(m, n) / bandAlignment))
    }

    /// Bands start at multiples of 16, the width of the Zen kernel's register tile.
    static let bandAlignment = 16

    /// The first row or column of band `part` of `parts` over `length`, a multiple of 16.
    static func bandStart(_ part: Int, of parts: Int, length: Int) -> Int {
        guard part < parts else { return length }
        return min(length, (length * part / parts) / bandAlignment * bandAlignment)
    }

    /// One undivided product on the calling thread, its inner dimension cut into blocks of
    /// `innerBlock` (the second and later accumulating into C).
    private static func blocked(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
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

    /// The threads one product (and the layers that split their work the same way) uses.
    /// OpenBLAS itself always runs on one thread: its idle threads spin in `sched_yield`,
    /// taking a core from the im2col and attention workers, so `gemm` splits large products
    /// into bands itself. Starts at OpenBLAS' own count (OPENBLAS_NUM_THREADS, else the cores).
    /// Within `BLAS.$threadsOverride.withValue(n) { … }` the calling task uses n instead (tests
    /// compare thread counts this way without touching the process-wide setting).
    public static var threads: Int {
        get { threadsOverride ?? configuredThreads.load(ordering: .relaxed) }
        set { configuredThreads.store(max(1, newValue), ordering: .relaxed) }
    }

    @TaskLocal public static var threadsOverride: Int?

    private static let configuredThreads = Atomic<Int>(startingThreads)

    /// OpenBLAS' own thread count at start. Reading it (the first product, or the first use
    /// of `threads`, whichever comes first) also pins OpenBLAS to one thread and warms up
    /// its buffers (`warmUp`): a product that names its thread count must not skip that,
    /// or OpenBLAS' idle threads spin beside it and its kernel runs at half speed.
    private static let startingThreads: Int = {
        let initial = Int(openblas_get_num_threads())
        openblas_set_num_threads(1)
        warmUp(slots: max(2, initial))
        return max(1, initial)
    }()
}

extension BLAS {
    /// OpenBLAS 0.3.21's Zen sgemm runs the toy model's products (256×128×128 and the like)
    /// at ~16 GFLOP/s in a fresh process, and at ~35 GFLOP/s once one product at least
    /// 384 columns wide has run on the same internal buffer: the same `sgemm_kernel_ZEN`
    /// then takes less than half the time per call (`perf`; the state lasts for the process).
    /// OpenBLAS keeps one buffer per concurrent caller, so one 512×512×256 product (≈ 5 ms)
    /// runs on each of `slots` threads at once. `scripts/openblas-first-product.c` shows the
    /// effect in plain C; `lessons bench toy` measures it (about 1.8× on training).
    static func warmUp(slots: Int) {
        let (m, n, k) = (512, 512, 256)
        DispatchQueue.concurrentPerform(iterations: slots) { _ in
            let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
            var c = [Float](repeating: 0, count: m * n)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        }
    }
}

/// Accumulated core-time and floating-point operations of the `BLAS.gemm` calls that one
/// piece of work makes (`counting(_:)`). The profile is bound to the work, not to the
/// process: products that other code runs at the same time (another test, another task) are
/// not counted, so a measurement does not depend on what else the process is doing.
public final class GemmProfile: Sendable {
    /// The profile the running code counts into (nil: none).
    @TaskLocal static var current: GemmProfile?

    private let elapsed = Atomic<Int>(0)
    private let operations = Atomic<Int>(0)

    public init() {}

    func add(nanoseconds: UInt64, flops: Int) {
        elapsed.add(Int(nanoseconds), ordering: .relaxed)
        operations.add(flops, ordering: .relaxed)
    }

    /// Runs `work`, counting the products it makes on the calling thread and in the
    /// parallel loops it starts (`inherited(_:)` carries the profile to their workers).
    public func counting<T>(_ work: () throws -> T) rethrows -> T {
        try Self.$current.withValue(self, operation: work)
    }

    /// Core-seconds spent in the counted products (a product split into bands counts the
    /// time of every core it keeps busy).
    public var seconds: Double { Double(elapsed.load(ordering: .relaxed)) / 1e9 }

    /// Floating-point operations of the counted products: 2·m·n·k each.
    public var flops: Double { Double(operations.load(ordering: .relaxed)) }

    /// `body` made to count into the caller's profile when a parallel loop runs it on
    /// another thread (a task-local value does not cross `concurrentPerform` by itself).
    public static func inherited(_ body: @escaping @Sendable (Int) -> Void) -> @Sendable (Int) -> Void {
        guard let profile = current else { return body }
        return { index in $current.withValue(profile) { body(index) } }
    }
}
