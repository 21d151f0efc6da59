import Foundation
import Neural
import Stochastic

/// The doctor's two BLAS lines: which library `cblas_sgemm` binds to (it must be OpenBLAS,
/// never GSL's reference libgslcblas, ~20× slower), and how fast sgemm actually runs.
enum DoctorBLAS {
    /// What to do when the wrong CBLAS binds (see Sources/CGSL/module.modulemap).
    static let remedy = "install: apt-get install libopenblas-dev, and keep Sources/CGSL/module.modulemap linking "
        + "\"openblas\" with no pkgConfig (pkg-config's gsl puts -lgslcblas first); then rebuild (swift build -c release)"

    /// Below this many GFLOP/s a 512×512 sgemm is absurdly slow: the reference-CBLAS symptom
    /// (OpenBLAS runs tens of GFLOP/s even on one core).
    static let minimumGFLOPS = 2.0

    /// Judges the library that `cblas_sgemm` resolves to (`libraryPath`, nil when it cannot be
    /// found): OpenBLAS is OK; GSL's libgslcblas fails; anything else is not recognised and fails.
    static func binding(libraryPath: String? = blasLibraryPath(), configuration: String = openBLASConfiguration,
                        coreName: String = openBLASCoreName, threads: Int = BLAS.threads,
                        replacement: (fallback: String, chosen: String)? = BLASKernel.replacement) -> DoctorCheck {
        guard let libraryPath else {
            return .warn("blas", "cannot tell which library cblas_sgemm binds to (no /proc/self/maps entry for it); "
                         + "OpenBLAS \(coreName.isEmpty ? "not found" : "core " + coreName) is linked")
        }
        let file = URL(fileURLWithPath: libraryPath).lastPathComponent.lowercased()
        if file.contains("gslcblas") {
            return .fail("blas", "cblas_sgemm binds to GSL's reference CBLAS \(libraryPath), ~20× slower than OpenBLAS; \(remedy)")
        }
        guard libraryPath.lowercased().contains("openblas") else {
            return .fail("blas", "cblas_sgemm binds to \(libraryPath), not OpenBLAS; \(remedy)")
        }
        let version = configuration.split(separator: " ").prefix(2).joined(separator: " ")
        let chosen = replacement.map { " (OpenBLAS did not know this CPU and fell back to \($0.fallback); lessons chose \($0.chosen) "
            + "from the CPU's flags, and OPENBLAS_CORETYPE overrides it)" } ?? ""
        return .ok("blas", "\(version.isEmpty ? "OpenBLAS" : version) (\(libraryPath)), core \(coreName.isEmpty ? "unknown" : coreName)\(chosen), "
                   + "\(threads) thread\(threads == 1 ? "" : "s")")
    }

    /// Judges a measured sgemm throughput in GFLOP/s.
    static func throughput(gflops: Double) -> DoctorCheck {
        let figure = String(format: "%.1f GFLOP/s", gflops)
        guard gflops.isFinite, gflops >= minimumGFLOPS else {
            return .fail("sgemm", "\(figure) on 512×512 Float32 products: absurdly slow (below \(Int(minimumGFLOPS)) GFLOP/s), "
                         + "the symptom of GSL's reference CBLAS; check the blas line; \(remedy)")
        }
        return .ok("sgemm", "\(figure) on 512×512 Float32 products")
    }

    /// Measures `BLAS.gemm` (the engine's own sgemm path) on `products` n×n×n products after one
    /// warm-up product; GFLOP/s from a `GemmProfile`. About 0.04 s with OpenBLAS, 0.3 s with the reference.
    static func measureGFLOPS(side n: Int = 512, products: Int = 4) -> Double {
        let a = (0..<n * n).map { Float($0 % 7) / 7 - 0.5 }
        let b = (0..<n * n).map { Float($0 % 5) / 5 - 0.5 }
        var c = [Float](repeating: 0, count: n * n)
        func product() {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, a: a.baseAddress!, lda: n,
                                  b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
                    }
                }
            }
        }
        product()
        let measured = GemmProfile()
        measured.counting { for _ in 0..<products { product() } }
        return measured.flops / max(measured.seconds, 1e-12) / 1e9
    }
}
