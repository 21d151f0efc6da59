// OpenBLAS 0.3.21 (Debian, Zen kernel): a fresh process runs a 256×128×128 sgemm at about
// 16 GFLOP/s on the project's machine; after one product at least 384 columns wide has run,
// the same call runs at about 35 GFLOP/s for the rest of the process. `BLAS.warmUp` in
// Sources/Models/Neural/BLAS.swift relies on this. Build and run:
//   cc -O2 scripts/openblas-first-product.c -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -o /tmp/first && /tmp/first
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Row-major C[m×n] = A[m×k]·B[k×n], `calls` times; returns GFLOP/s.
static double rate(int m, int n, int k, int calls) {
    float *a = calloc((size_t)m * k, sizeof(float)), *b = calloc((size_t)k * n, sizeof(float)), *c = calloc((size_t)m * n, sizeof(float));
    for (int i = 0; i < m * k; i++) a[i] = (float)(i % 7) * 0.1f;
    for (int i = 0; i < k * n; i++) b[i] = (float)(i % 5) * 0.1f;
    double start = seconds();
    for (int i = 0; i < calls; i++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
    double elapsed = seconds() - start;
    free(a); free(b); free(c);
    return 2.0 * m * n * k * calls / elapsed / 1e9;
}

int main(void) {
    openblas_set_num_threads(1);
    printf("256x128x128, fresh process:              %.1f GFLOP/s\n", rate(256, 128, 128, 2000));
    printf("256x128x128, again:                      %.1f GFLOP/s\n", rate(256, 128, 128, 2000));
    rate(128, 256, 128, 1);
    printf("256x128x128, after one 128x256x128:     %.1f GFLOP/s\n", rate(256, 128, 128, 2000));
    rate(128, 384, 128, 1);
    printf("256x128x128, after one 128x384x128:     %.1f GFLOP/s\n", rate(256, 128, 128, 2000));
    return 0;
}
