import Dispatch
import Neural

/// What a timed piece of work spent in sgemm, from a `GemmProfile`: the products' FLOPs, the
/// share of the cores' time inside sgemm, and sgemm's speed per core while inside it.
struct GemmUse {
    var seconds: Double
    var flops: Double
    var share: Double
    var gflops: Double

    /// Times `work` on `threads` cores with the profile on.
    static func measure(threads: Int, _ work: () throws -> Void) rethrows -> GemmUse {
        let profile = GemmProfile()
        let start = DispatchTime.now().uptimeNanoseconds
        try profile.counting(work)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return GemmUse(seconds: seconds, flops: profile.flops, share: profile.seconds / (seconds * Double(threads)),
                       gflops: profile.flops / max(profile.seconds, 1e-12) / 1e9)
    }
}
