// The Float32 arithmetic ceiling of one core, for `lessons bench toy`: nothing but
// fused multiply-adds, twelve chains in flight so that both FMA pipes stay busy whatever
// their latency (4 cycles x 2 pipes needs at least 8). Written with intrinsics because
// Swift's SIMD8<Float>.addingProduct compiles lane by lane, with shuffles.
#include "fma_peak.h"

#if defined(__x86_64__)
#include <immintrin.h>

int fma_peak_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

__attribute__((target("avx2,fma")))
float fma_peak_chunk(long iterations, float seed) {
    const __m256 b = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
    const __m256 start = _mm256_set1_ps(0.5f + seed * 0.0f);
    __m256 a[12];
    for (int j = 0; j < 12; j++) a[j] = _mm256_add_ps(start, _mm256_set1_ps((float)j));
    for (long i = 0; i < iterations; i++) {
        a[0] = _mm256_fmadd_ps(a[0], b, c);   a[1] = _mm256_fmadd_ps(a[1], b, c);
        a[2] = _mm256_fmadd_ps(a[2], b, c);   a[3] = _mm256_fmadd_ps(a[3], b, c);
        a[4] = _mm256_fmadd_ps(a[4], b, c);   a[5] = _mm256_fmadd_ps(a[5], b, c);
        a[6] = _mm256_fmadd_ps(a[6], b, c);   a[7] = _mm256_fmadd_ps(a[7], b, c);
        a[8] = _mm256_fmadd_ps(a[8], b, c);   a[9] = _mm256_fmadd_ps(a[9], b, c);
        a[10] = _mm256_fmadd_ps(a[10], b, c); a[11] = _mm256_fmadd_ps(a[11], b, c);
    }
    __m256 sum = a[0];
    for (int j = 1; j < 12; j++) sum = _mm256_add_ps(sum, a[j]);
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    float total = 0;
    for (int j = 0; j < 8; j++) total += lanes[j];
    return total;
}
#else
int fma_peak_supported(void) { return 0; }
float fma_peak_chunk(long iterations, float seed) { (void)iterations; return seed; }
#endif
