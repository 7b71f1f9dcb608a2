#include "winograd_time.h"

#include <immintrin.h>
#include <string.h>

// Separate multiplies and adds in every path, so that the vector and scalar loops round alike.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

void stemtrace_winograd_time_input(const float *x, size_t bands, const float *bt, size_t m, size_t alpha,
                                   size_t tiles, size_t width, float *columns, size_t column_stride,
                                   float *scratch) {
    if (width == 0 || width > bands) return;
    const size_t positions = bands - width + 1;
    for (size_t j = 0; j < tiles; j++) {
        const float *rows = x + j * m * bands;
        for (size_t xi = 0; xi < alpha; xi++) {
            float *v = scratch + xi * bands;
            const float *coefficients = bt + xi * alpha;
            for (size_t b = 0; b < bands; b++) v[b] = 0;
            for (size_t n = 0; n < alpha; n++) {
                const float a = coefficients[n];
                if (a == 0) continue;
                const float *row = rows + n * bands;
                for (size_t b = 0; b < bands; b++) v[b] = v[b] + a * row[b];
            }
            float *destination = columns + xi * column_stride + j * positions * width;
            for (size_t f = 0; f < positions; f++) memcpy(destination + f * width, v + f, width * sizeof(float));
        }
    }
}

/// One output frame's contribution at one (tile, position) row of the products: y[c] =
/// Σ_ξ Aᵀ[i][ξ] · products[ξ · product_stride + row + c], written to out[c] at the first position
/// (`first`) and maxed into it after. The AVX-512 and portable versions share `output_max`'s loops.
typedef void (*output_row_fn)(const float *products, size_t product_stride, const float *at_row, size_t alpha,
                              size_t row, size_t channels, int first, float *out);

/// The sum for channels c0 ..< c0 + 16 of one row (masked to what is left).
__attribute__((target("avx512f")))
static inline __m512 output_sum_avx512(const float *products, size_t product_stride, const float *at_row,
                                       size_t alpha, size_t offset, __mmask16 mask) {
    __m512 acc = _mm512_setzero_ps();
    int started = 0;
    for (size_t xi = 0; xi < alpha; xi++) {
        const float a = at_row[xi];
        if (a == 0) continue;
        const __m512 term = _mm512_mul_ps(_mm512_set1_ps(a), _mm512_maskz_loadu_ps(mask, products + xi * product_stride + offset));
        acc = started ? _mm512_add_ps(acc, term) : term;
        started = 1;
    }
    return acc;
}

__attribute__((target("avx512f")))
static void output_row_avx512(const float *products, size_t product_stride, const float *at_row, size_t alpha,
                              size_t row, size_t channels, int first, float *out) {
    for (size_t c = 0; c < channels; c += 16) {
        const size_t left = channels - c;
        const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        const __m512 y = output_sum_avx512(products, product_stride, at_row, alpha, row + c, mask);
        if (first) {
            _mm512_mask_storeu_ps(out + c, mask, y);
        } else {
            // max(y, b) as the portable loop's `y > b ? y : b`.
            const __m512 b = _mm512_maskz_loadu_ps(mask, out + c);
            _mm512_mask_storeu_ps(out + c, mask, _mm512_mask_blend_ps(_mm512_cmp_ps_mask(y, b, _CMP_GT_OQ), b, y));
        }
    }
}

static void output_row_portable(const float *products, size_t product_stride, const float *at_row, size_t alpha,
                                size_t row, size_t channels, int first, float *out) {
    for (size_t c = 0; c < channels; c++) {
        float y = 0;
        int started = 0;
        for (size_t xi = 0; xi < alpha; xi++) {
            const float a = at_row[xi];
            if (a == 0) continue;
            const float term = a * products[xi * product_stride + row + c];
            y = started ? y + term : term;
            started = 1;
        }
        out[c] = (first || y > out[c]) ? y : out[c];
    }
}

static void output_max(output_row_fn output_row, const float *products, size_t product_stride, const float *at,
                       size_t m, size_t alpha, size_t tiles, size_t positions, size_t channels, size_t frames,
                       float *best) {
    for (size_t j = 0; j < tiles; j++) {
        for (size_t f = 0; f < positions; f++) {
            const size_t row = (j * positions + f) * channels;
            for (size_t i = 0; i < m && j * m + i < frames; i++)
                output_row(products, product_stride, at + i * alpha, alpha, row, channels, f == 0,
                           best + (j * m + i) * channels);
        }
    }
}

void stemtrace_winograd_time_output_max(const float *products, size_t product_stride, const float *at,
                                        size_t m, size_t alpha, size_t tiles, size_t positions,
                                        size_t channels, size_t frames, float *best) {
    output_max(__builtin_cpu_supports("avx512f") ? output_row_avx512 : output_row_portable, products, product_stride,
               at, m, alpha, tiles, positions, channels, frames, best);
}

void stemtrace_winograd_time_output_max_portable(const float *products, size_t product_stride, const float *at,
                                                 size_t m, size_t alpha, size_t tiles, size_t positions,
                                                 size_t channels, size_t frames, float *best) {
    output_max(output_row_portable, products, product_stride, at, m, alpha, tiles, positions, channels, frames, best);
}
