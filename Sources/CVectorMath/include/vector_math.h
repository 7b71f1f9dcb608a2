// glibc's vector math library (libmvec) for the spectrogram's log compression.
#ifndef STEMTRACE_VECTOR_MATH_H
#define STEMTRACE_VECTOR_MATH_H

#include <stddef.h>

/// x[i] = log10(1 + x[i]) for i < n, in float32: glibc's AVX2 `logf` (libmvec, _ZGVdN8v_logf)
/// times 1/ln(10) when the CPU has AVX2, else scalar `logf`. libmvec's logf is within 4 ulp.
void stemtrace_log10_one_plus(float *x, size_t n);

/// Sets (on ≠ 0) or clears flush-to-zero and denormals-are-zero in the calling thread's SSE
/// control register (MXCSR), as TensorFlow does in its compute threads: spleeter's U-Net produces
/// denormal activations, on which x86 arithmetic is 10–100× slower. No effect on other CPUs.
void stemtrace_set_flush_denormals(int on);

#endif
