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
    static func measure(threads: Int, _ work: () throws -> Void) rethrows -> GemmUse {
        BLAS.profile.start()
        let start = DispatchTime.now().uptimeNanoseconds
        do { try work() } catch { _ = BLAS.profile.stop(); throw error }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let gemm = BLAS.profile.stop()
        return GemmUse(seconds: seconds, flops: gemm.flops, share: gemm.seconds / (seconds * Double(threads)),
                       gflops: gemm.flops / max(gemm.seconds, 1e-12) / 1e9)
    }
}
