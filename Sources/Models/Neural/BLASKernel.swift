import CGSL
import Foundation
import Stochastic

/// Which OpenBLAS kernel family runs the products. OpenBLAS (built with DYNAMIC_ARCH, as
/// Debian's is) picks its kernels from a table of the CPU models it knows; on a CPU newer
/// than its table (OpenBLAS 0.3.21 on Intel's family 6 model 207, Emerald Rapids) it finds
/// nothing and falls back to Prescott's SSE3 kernels, which run sgemm several times slower
/// than the AVX-512 ones the same CPU runs (the latent lesson's accuracy check: 19 s with
/// Prescott's, 7 s with Cooper Lake's; `docs/performance.md`).
///
/// When OpenBLAS fell back to Prescott, the user set no `OPENBLAS_CORETYPE`, and the CPU has
/// a newer vector unit, the `lessons` command runs itself again (`exec`, same process, same
/// arguments) with `OPENBLAS_CORETYPE` naming the newest family that the CPU's flags (as the
/// kernel enabled them, /proc/cpuinfo) can run, which OpenBLAS reads as it loads. Switching
/// OpenBLAS' table inside a running process (`gotoblas_dynamic_quit` and `_init`) was tried
/// and crashed about once in a thousand starts under load, so the choice is made only where
/// OpenBLAS makes it itself. A user's `OPENBLAS_CORETYPE` always wins; a test process, which
/// cannot run itself again, keeps OpenBLAS' own choice.
public enum BLASKernel {
    /// Set beside `OPENBLAS_CORETYPE` by the re-run: the family OpenBLAS had fallen back to.
    static let fallbackVariable = "LESSONS_OPENBLAS_FALLBACK"

    /// What the re-run changed in this process: OpenBLAS' fallback and the family it runs
    /// instead; nil when OpenBLAS' own choice (or the user's) stands.
    public static var replacement: (fallback: String, chosen: String)? {
        guard let fallback = getenv(fallbackVariable).map({ String(cString: $0) }), getenv("OPENBLAS_CORETYPE") != nil else { return nil }
        return (fallback, openBLASCoreName)
    }

    /// If OpenBLAS fell back to Prescott on a CPU that runs a newer family, replaces this
    /// process by the same program with `OPENBLAS_CORETYPE` set (and returns only if it cannot).
    /// Call first thing in `main`, before any other work.
    public static func rerunOnFallback() {
        let fallback = openBLASCoreName
        guard fallback.lowercased() == "prescott", getenv("OPENBLAS_CORETYPE") == nil,
              let family = family(flags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", family, 1)
        setenv(fallbackVariable, fallback, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: go on with OpenBLAS' own choice.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(fallbackVariable)
    }

    /// The family `OPENBLAS_CORETYPE` should name for a CPU with these flags: Cooper Lake's
    /// kernels need AVX-512 with BF16, Skylake-X's AVX-512 F/CD/BW/DQ/VL, Haswell's AVX2 and FMA.
    public static func family(flags: Set<String>) -> String? {
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        if avx512 && flags.contains("avx512_bf16") { return "COOPERLAKE" }
        if avx512 { return "SKYLAKEX" }
        if flags.contains("avx2") && flags.contains("fma") { return "HASWELL" }
        return nil
    }

    /// The first "flags" line of /proc/cpuinfo (x86), as a set; empty where there is none.
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let line = cpuinfo?.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
