import Dispatch
import Neural

/// What a timed piece of work spent in sgemm, from `BLAS.profile`: the products' FLOPs, the
/// share of the cores' time inside sgemm, and sgemm's speed per core while inside it.
struct GemmUse {
    var seconds: Double
    var flops: Double
    var share: Double
    var gflops: Double

    /// Times `work` on `threads` cores with the profile on.
    static func measure<T>(threads: Int, _ work: () throws -> T) rethrows -> (GemmUse, T) {
        BLAS.profile.start()
        let start = DispatchTime.now().uptimeNanoseconds
        let result: T
        do { result = try work() } catch { _ = BLAS.profile.stop(); throw error }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let gemm = BLAS.profile.stop()
        let use = GemmUse(seconds: seconds, flops: gemm.flops, share: gemm.seconds / (seconds * Double(threads)),
                          gflops: gemm.flops / max(gemm.seconds, 1e-12) / 1e9)
        return (use, result)
    }
}
