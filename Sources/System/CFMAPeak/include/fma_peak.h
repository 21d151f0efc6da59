#ifndef FMA_PEAK_H
#define FMA_PEAK_H

/// 1 when this CPU runs the AVX2 fused multiply-adds that fma_peak_chunk times, else 0.
int fma_peak_supported(void);

/// Runs twelve independent chains a <- a*b + c of 8-lane Float32 fused multiply-adds
/// (96 multiply-adds, 192 FLOP, per iteration) for `iterations` iterations from a start
/// that depends on `seed`, and returns the sum of the chains' ends (about 96 for any
/// seed near 0: each lane tends to c / (1 - b) = 1). Call only when fma_peak_supported().
float fma_peak_chunk(long iterations, float seed);

#endif
