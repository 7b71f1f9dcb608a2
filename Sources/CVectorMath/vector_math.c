#include "vector_math.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The magnitude kernels must not fuse a*a + b*b into an FMA: its single rounding would differ
// from the Swift loops' (and madmom's numpy's) two roundings.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

// libmvec's 8-lane AVX2 logf (glibc >= 2.22), named by the x86_64 vector function ABI.
__attribute__((target("avx2"))) __m256 _ZGVdN8v_logf(__m256 x);

static const float inverse_ln10 = 0.43429448190325176f;

__attribute__((target("avx2")))
static void log10_one_plus_avx2(float *x, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 scale = _mm256_set1_ps(inverse_ln10);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_add_ps(_mm256_loadu_ps(x + i), one);
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_ZGVdN8v_logf(v), scale));
    }
    for (; i < n; i++) x[i] = logf(1.0f + x[i]) * inverse_ln10;
}

void stemtrace_log10_one_plus(float *x, size_t n) {
    if (__builtin_cpu_supports("avx2")) {
        log10_one_plus_avx2(x, n);
        return;
    }
    for (size_t i = 0; i < n; i++) x[i] = logf(1.0f + x[i]) * inverse_ln10;
}

#if defined(__x86_64__) || defined(__i386__)
void stemtrace_set_flush_denormals(int on) {
    unsigned int bits = 0x8040; /* FTZ (bit 15) | DAZ (bit 6) */
    unsigned int mxcsr = _mm_getcsr();
    _mm_setcsr(on ? (mxcsr | bits) : (mxcsr & ~bits));
}
#else
void stemtrace_set_flush_denormals(int on) { (void)on; }
#endif

__attribute__((target("avx512f")))
static void divide_avx512(float *restrict out, const float *restrict x, float divisor, size_t n) {
    const __m512 d = _mm512_set1_ps(divisor);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, _mm512_div_ps(_mm512_loadu_ps(x + i), d));
    for (; i < n; i++) out[i] = x[i] / divisor;
}

void stemtrace_divide(float *restrict out, const float *restrict x, float divisor, size_t n) {
    if (__builtin_cpu_supports("avx512f")) {
        divide_avx512(out, x, divisor, n);
        return;
    }
    for (size_t i = 0; i < n; i++) out[i] = x[i] / divisor;
}

__attribute__((target("avx512f")))
static void multiply_avx512(float *restrict out, const float *restrict a, const float *restrict b, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
    for (; i < n; i++) out[i] = a[i] * b[i];
}

void stemtrace_multiply(float *restrict out, const float *restrict a, const float *restrict b, size_t n) {
    if (__builtin_cpu_supports("avx512f")) {
        multiply_avx512(out, a, b, n);
        return;
    }
    for (size_t i = 0; i < n; i++) out[i] = a[i] * b[i];
}

__attribute__((target("avx512f")))
static void magnitudes_avx512(float *restrict out, const float *restrict spectrum, size_t n) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    size_t k = 0;
    for (; k + 16 <= n; k += 16) {
        __m512 a = _mm512_loadu_ps(spectrum + 2 * k);
        __m512 b = _mm512_loadu_ps(spectrum + 2 * k + 16);
        __m512 re = _mm512_permutex2var_ps(a, even, b);
        __m512 im = _mm512_permutex2var_ps(a, odd, b);
        __m512 sum = _mm512_add_ps(_mm512_mul_ps(re, re), _mm512_mul_ps(im, im));
        _mm512_storeu_ps(out + k, _mm512_sqrt_ps(sum));
    }
    for (; k < n; k++) {
        float re = spectrum[2 * k], im = spectrum[2 * k + 1];
        float rr = re * re, ii = im * im;
        out[k] = sqrtf(rr + ii);
    }
}

void stemtrace_scaled_magnitudes_f64_portable(float *restrict out, const double *restrict spectrum, double scale,
                                              size_t n) {
    for (size_t k = 0; k < n; k++) {
        double re = spectrum[2 * k] * scale, im = spectrum[2 * k + 1] * scale;
        double rr = re * re, ii = im * im;
        out[k] = (float)sqrt(rr + ii);
    }
}

__attribute__((target("avx512f")))
static void scaled_magnitudes_f64_avx512(float *restrict out, const double *restrict spectrum, double scale, size_t n) {
    const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    const __m512d s = _mm512_set1_pd(scale);
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m512d a = _mm512_loadu_pd(spectrum + 2 * k);
        __m512d b = _mm512_loadu_pd(spectrum + 2 * k + 8);
        __m512d re = _mm512_mul_pd(_mm512_permutex2var_pd(a, even, b), s);
        __m512d im = _mm512_mul_pd(_mm512_permutex2var_pd(a, odd, b), s);
        __m512d sum = _mm512_add_pd(_mm512_mul_pd(re, re), _mm512_mul_pd(im, im));
        _mm256_storeu_ps(out + k, _mm512_cvtpd_ps(_mm512_sqrt_pd(sum)));
    }
    stemtrace_scaled_magnitudes_f64_portable(out + k, spectrum + 2 * k, scale, n - k);
}

void stemtrace_scaled_magnitudes_f64(float *restrict out, const double *restrict spectrum, double scale, size_t n) {
    if (__builtin_cpu_supports("avx512f")) {
        scaled_magnitudes_f64_avx512(out, spectrum, scale, n);
        return;
    }
    stemtrace_scaled_magnitudes_f64_portable(out, spectrum, scale, n);
}

static float peak_abs_f64_scalar(const double *x, size_t n, float peak) {
    for (size_t i = 0; i < n; i++) {
        float v = fabsf((float)x[i]);
        if (v >= peak) peak = v;
    }
    return peak;
}

__attribute__((target("avx512f")))
static float peak_abs_f64_avx512(const double *x, size_t n) {
    __m256 peak = _mm256_setzero_ps();
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        peak = _mm256_max_ps(peak, _mm256_and_ps(_mm512_cvtpd_ps(_mm512_loadu_pd(x + i)), magnitude));
    float lanes[8];
    _mm256_storeu_ps(lanes, peak);
    float best = 0;
    for (int k = 0; k < 8; k++)
        if (lanes[k] >= best) best = lanes[k];
    return peak_abs_f64_scalar(x + i, n - i, best);
}

float stemtrace_peak_abs_f64(const double *x, size_t n) {
    if (__builtin_cpu_supports("avx512f")) return peak_abs_f64_avx512(x, n);
    return peak_abs_f64_scalar(x, n, 0);
}

void stemtrace_magnitudes(float *restrict out, const float *restrict spectrum, size_t n) {
    if (__builtin_cpu_supports("avx512f")) {
        magnitudes_avx512(out, spectrum, n);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        float re = spectrum[2 * k], im = spectrum[2 * k + 1];
        float rr = re * re, ii = im * im;
        out[k] = sqrtf(rr + ii);
    }
}

static size_t reflect_index(ptrdiff_t i, size_t n) {
    ptrdiff_t period = 2 * (ptrdiff_t)n;
    ptrdiff_t j = i % period;
    if (j < 0) j += period;
    return (size_t)(j < (ptrdiff_t)n ? j : period - 1 - j);
}

static int compare_floats(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static size_t count_below_scalar(const float *w, size_t n, float value) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += w[i] < value;
    return count;
}

__attribute__((target("avx512f")))
static size_t count_below_avx512(const float *w, size_t n, float value) {
    const __m512 v = _mm512_set1_ps(value);
    size_t count = 0, i = 0;
    for (; i + 16 <= n; i += 16)
        count += (size_t)__builtin_popcount(_mm512_cmp_ps_mask(_mm512_loadu_ps(w + i), v, _CMP_LT_OQ));
    if (i < n) {
        __mmask16 tail = (__mmask16)((1u << (n - i)) - 1u);
        count += (size_t)__builtin_popcount(_mm512_mask_cmp_ps_mask(tail, _mm512_maskz_loadu_ps(tail, w + i), v, _CMP_LT_OQ));
    }
    return count;
}

#define RUNNING_MEDIAN_BODY(COUNT)                                                                  \
    size_t half = kernel / 2;                                                                       \
    for (size_t j = 0; j < kernel; j++)                                                             \
        window[j] = x[(ptrdiff_t)reflect_index((ptrdiff_t)first - (ptrdiff_t)half + (ptrdiff_t)j, n) * stride]; \
    qsort(window, kernel, sizeof(float), compare_floats);                                           \
    out[(ptrdiff_t)first * out_stride] = window[half];                                              \
    for (size_t i = first + 1; i < last; i++) {                                                     \
        float leaving = x[(ptrdiff_t)reflect_index((ptrdiff_t)i - (ptrdiff_t)half - 1, n) * stride];  \
        float entering = x[(ptrdiff_t)reflect_index((ptrdiff_t)(i + half), n) * stride];           \
        if (leaving != entering) {                                                                  \
            size_t p = COUNT(window, kernel, leaving);                                              \
            size_t r = COUNT(window, kernel, entering);                                             \
            if (entering > leaving) {                                                               \
                memmove(window + p, window + p + 1, (r - p - 1) * sizeof(float));                   \
                window[r - 1] = entering;                                                           \
            } else {                                                                                \
                memmove(window + r + 1, window + r, (p - r) * sizeof(float));                       \
                window[r] = entering;                                                               \
            }                                                                                       \
        }                                                                                           \
        out[(ptrdiff_t)i * out_stride] = window[half];                                              \
    }

__attribute__((target("avx512f")))
static void running_median_avx512(const float *x, size_t n, ptrdiff_t stride, size_t kernel, float *out,
                                  ptrdiff_t out_stride, size_t first, size_t last, float *window) {
    RUNNING_MEDIAN_BODY(count_below_avx512)
}

static void running_median_scalar(const float *x, size_t n, ptrdiff_t stride, size_t kernel, float *out,
                                  ptrdiff_t out_stride, size_t first, size_t last, float *window) {
    RUNNING_MEDIAN_BODY(count_below_scalar)
}

void stemtrace_running_median(const float *x, size_t n, ptrdiff_t stride, size_t kernel, float *out,
                              ptrdiff_t out_stride, size_t first, size_t last, float *window) {
    if (first >= last || n == 0 || kernel == 0) return;
    if (__builtin_cpu_supports("avx512f"))
        running_median_avx512(x, n, stride, kernel, out, out_stride, first, last, window);
    else
        running_median_scalar(x, n, stride, kernel, out, out_stride, first, last, window);
}

static size_t first_non_finite_scalar(const float *x, size_t from, size_t n) {
    for (size_t i = from; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        if ((bits & 0x7f800000u) == 0x7f800000u) return i;
    }
    return n;
}

__attribute__((target("avx512f")))
static size_t first_non_finite_avx512(const float *x, size_t n) {
    const __m512i exponent = _mm512_set1_epi32(0x7f800000);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i bits = _mm512_and_si512(_mm512_loadu_si512((const void *)(x + i)), exponent);
        if (_mm512_cmpeq_epi32_mask(bits, exponent)) return first_non_finite_scalar(x, i, i + 16);
    }
    return first_non_finite_scalar(x, i, n);
}

size_t stemtrace_first_non_finite(const float *x, size_t n) {
    if (__builtin_cpu_supports("avx512f")) return first_non_finite_avx512(x, n);
    return first_non_finite_scalar(x, 0, n);
}
