#include "max_pool.h"

#include <immintrin.h>

static inline float swift_max(float a, float b) { return b >= a ? b : a; }

static void pool_row_scalar(const float *r0, const float *r1, float *out, size_t from, size_t width) {
    for (size_t j = from; j < width; j++)
        out[j] = swift_max(swift_max(r0[2 * j], r0[2 * j + 1]), swift_max(r1[2 * j], r1[2 * j + 1]));
}

void stemtrace_max_pool2x2_portable(const float *in, size_t in_width, float *out, size_t out_height, size_t out_width) {
    for (size_t i = 0; i < out_height; i++)
        pool_row_scalar(in + 2 * i * in_width, in + (2 * i + 1) * in_width, out + i * out_width, 0, out_width);
}

__attribute__((target("avx512f")))
static inline __m512 swift_max_lanes(__m512 a, __m512 b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(b, a, _CMP_GE_OQ), a, b);
}

__attribute__((target("avx512f")))
static void max_pool_avx512(const float *in, size_t in_width, float *out, size_t out_height, size_t out_width) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (size_t i = 0; i < out_height; i++) {
        const float *r0 = in + 2 * i * in_width;
        const float *r1 = r0 + in_width;
        float *row = out + i * out_width;
        size_t j = 0;
        for (; j + 16 <= out_width; j += 16) {
            const __m512 a0 = _mm512_loadu_ps(r0 + 2 * j), a1 = _mm512_loadu_ps(r0 + 2 * j + 16);
            const __m512 b0 = _mm512_loadu_ps(r1 + 2 * j), b1 = _mm512_loadu_ps(r1 + 2 * j + 16);
            const __m512 top = swift_max_lanes(_mm512_permutex2var_ps(a0, even, a1), _mm512_permutex2var_ps(a0, odd, a1));
            const __m512 bottom =
                swift_max_lanes(_mm512_permutex2var_ps(b0, even, b1), _mm512_permutex2var_ps(b0, odd, b1));
            _mm512_storeu_ps(row + j, swift_max_lanes(top, bottom));
        }
        pool_row_scalar(r0, r1, row, j, out_width);
    }
}

void stemtrace_max_pool2x2(const float *in, size_t in_width, float *out, size_t out_height, size_t out_width) {
    if (__builtin_cpu_supports("avx512f")) {
        max_pool_avx512(in, in_width, out, out_height, out_width);
        return;
    }
    stemtrace_max_pool2x2_portable(in, in_width, out, out_height, out_width);
}
