import Dispatch

/// Work an operation splits over the run's threads (`BLAS.threads`): independent items
/// (elements, samples, channels or groups) cut into consecutive ranges, one per thread.
///
/// Callers split only where no sum crosses a range boundary, so every result is the same
/// bit for bit whichever thread count runs it (a reduction over the batch, like a bias
/// gradient, is split over the channels it sums into, each still summing in batch order).
enum Parts {
    /// Below this many elements of work a second thread costs more than it saves: waking
    /// a worker takes a few µs, about what one core needs for 2¹⁵ element-wise floats.
    static let parallelWork = 1 << 15

    /// Runs `body` over consecutive ranges covering `0..<count`: one range per thread (at
    /// most `count`) when `work` reaches `minimumWork`, else one call over all of it.
    static func run(_ count: Int, work: Int, minimumWork: Int = parallelWork, threads: Int = BLAS.threads,
                    _ body: @escaping @Sendable (Range<Int>) -> Void) {
        let parts = work >= minimumWork ? max(1, min(count, threads)) : 1
        guard parts > 1 else { return body(0..<count) }
        DispatchQueue.concurrentPerform(iterations: parts, execute: GemmProfile.inherited { part in
            body(count * part / parts..<count * (part + 1) / parts)
        })
    }

    /// `run` over elements `0..<count` (element-wise work), with range starts at multiples
    /// of 16 floats (64 bytes) so that each part's SIMD loop starts on a cache line.
    static func elements(_ count: Int, threads: Int = BLAS.threads, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        let lines = (count + 15) / 16
        run(lines, work: count, threads: threads) { range in
            body(range.lowerBound * 16..<min(count, range.upperBound * 16))
        }
    }
}
