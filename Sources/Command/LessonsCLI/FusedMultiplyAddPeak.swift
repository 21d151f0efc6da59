import CFMAPeak
import Dispatch

/// The Float32 arithmetic ceiling of one core: the FLOP per second it does when it does
/// nothing but fused multiply-adds (one FMA = 2 FLOP), a speed no matrix product can beat.
/// `lessons bench toy` divides the toy model's product FLOPs by it: the training rate and the
/// sampling time it would reach if every product ran at this peak and nothing else took time.
enum FusedMultiplyAddPeak {
    /// Iterations of one timed chunk (192 FLOP each: 12 chains × 8 lanes × 2).
    static let chunkIterations = 1 << 20
    static var chunkFLOPs: Double { Double(192 * chunkIterations) }

    /// GFLOP/s of the fastest chunk, timing chunks until `seconds` have passed (at least one);
    /// nil when the CPU lacks AVX2 + FMA. The best chunk rather than the mean: an interrupt
    /// or another process only ever slows a chunk down.
    static func gflops(seconds: Double = 0.25) -> Double? {
        guard fma_peak_supported() != 0 else { return nil }
        var best = 0.0
        var sink: Float = 0
        let began = DispatchTime.now().uptimeNanoseconds
        repeat {
            let start = DispatchTime.now().uptimeNanoseconds
            // The next chunk starts from this one's sum (times 0), so no chunk can be skipped.
            sink = fma_peak_chunk(chunkIterations, sink)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, chunkFLOPs / max(elapsed, 1e-9) / 1e9)
        } while Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9 < seconds
        return sink.isFinite ? best : nil
    }
}
