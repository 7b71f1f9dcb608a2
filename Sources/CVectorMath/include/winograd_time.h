// The two transforms of a one-input-channel convolution run as Winograd F(m, r) along time
// (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks"), with the frequency
// taps left to a GEMM per transformed point (im2col along frequency). Used by musicnn's timbral
// filters, whose output is reduced by a max over frequency straight away.
#ifndef STEMTRACE_WINOGRAD_TIME_H
#define STEMTRACE_WINOGRAD_TIME_H

#include <stddef.h>

/// For each of `tiles` time tiles j: V = Bᵀ · x[j·m ..< j·m + alpha] (alpha × bands, `bt` is
/// alpha × alpha row-major, x has `bands` floats per row), then for every transformed point ξ the
/// im2col rows of that tile: columns[ξ · column_stride + (j · positions + f) · width + k] =
/// V[ξ][f + k], f < positions = bands − width + 1. `scratch` holds alpha × bands floats.
/// Zero coefficients of Bᵀ are skipped (the inputs are finite).
void stemtrace_winograd_time_input(const float *x, size_t bands, const float *bt, size_t m, size_t alpha,
                                   size_t tiles, size_t width, float *columns, size_t column_stride,
                                   float *scratch);

/// y[j·m + i][f][c] = Σ_ξ Aᵀ[i][ξ] · products[ξ · product_stride + (j · positions + f) · channels + c]
/// (`at` is m × alpha row-major), reduced at once: best[t · channels + c] = max over f of
/// y[t][f][c] for t = j·m + i < frames (later frames are the last tile's padding). Each sum runs
/// over ξ in order with separate multiplies and adds, so the AVX-512 path (taken when the CPU has
/// it) gives the scalar loop's bytes. Zero coefficients of Aᵀ are skipped.
void stemtrace_winograd_time_output_max(const float *products, size_t product_stride, const float *at,
                                        size_t m, size_t alpha, size_t tiles, size_t positions,
                                        size_t channels, size_t frames, float *best);

/// The same without vector instructions: what other CPUs run, and what tests compare the
/// AVX-512 path with.
void stemtrace_winograd_time_output_max_portable(const float *products, size_t product_stride, const float *at,
                                                 size_t m, size_t alpha, size_t tiles, size_t positions,
                                                 size_t channels, size_t frames, float *best);

#endif
