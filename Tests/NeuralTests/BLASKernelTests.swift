import Neural
import Testing

@Suite("BLASKernel: the kernel family a CPU's flags can run")
struct BLASKernelTests {
    let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    @Test("AVX-512 with BF16 is Cooper Lake; without, Skylake-X; AVX2 and FMA alone, Haswell")
    func families() {
        #expect(BLASKernel.family(flags: Set(avx512 + ["avx512_bf16", "avx2", "fma"])) == "COOPERLAKE")
        #expect(BLASKernel.family(flags: Set(avx512 + ["avx2", "fma"])) == "SKYLAKEX")
        #expect(BLASKernel.family(flags: ["avx2", "fma", "avx512f"]) == "HASWELL", "AVX-512 F alone does not run Skylake-X's kernels")
        #expect(BLASKernel.family(flags: ["avx2"]) == nil && BLASKernel.family(flags: ["sse3", "avx"]) == nil)
    }

    @Test("the flags come from /proc/cpuinfo's first flags line")
    func flags() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx2 fma avx512_bf16\nbogomips\t: 4000\n"
        #expect(BLASKernel.cpuFlags(cpuinfo: cpuinfo) == ["fpu", "sse2", "avx2", "fma", "avx512_bf16"])
        #expect(BLASKernel.cpuFlags(cpuinfo: "processor\t: 0\n").isEmpty && BLASKernel.cpuFlags(cpuinfo: nil).isEmpty)
    }
}
