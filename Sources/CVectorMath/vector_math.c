#include "vector_math.h"

#include <immintrin.h>
#include <math.h>

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
