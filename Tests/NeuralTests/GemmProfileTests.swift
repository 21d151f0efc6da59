import Dispatch
import Testing

@testable import Neural

/// `GemmProfile` counts the products of the work it wraps, and only those.
@Suite struct GemmProfileTests {
    static func product(_ n: Int, threads: Int = 1) {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, a: a.baseAddress!, lda: n,
                              b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n, threads: threads)
                }
            }
        }
    }

    /// Products run by other threads at the same time are not counted: the figure is that
    /// of the wrapped work alone, 2·n³ per product, whatever else the process does.
    @Test func countsOnlyTheWrappedWork() {
        let profile = GemmProfile()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            if worker == 0 {
                profile.counting { for _ in 0..<3 { Self.product(64) } }
            } else {
                for _ in 0..<20 { Self.product(96) }
            }
        }
        #expect(profile.flops == 3 * 2 * 64 * 64 * 64)
        #expect(profile.seconds > 0)
    }

    /// A product started inside a parallel loop of the wrapped work counts (the profile
    /// follows the work onto the loop's workers); outside `counting`, nothing counts.
    @Test func followsTheWorkIntoParallelLoops() {
        let profile = GemmProfile()
        profile.counting {
            Parts.run(4, work: Parts.parallelWork, threads: 2) { range in
                for _ in range { Self.product(32) }
            }
        }
        #expect(profile.flops == 4 * 2 * 32 * 32 * 32)
        Self.product(32)
        #expect(profile.flops == 4 * 2 * 32 * 32 * 32)
    }
}
