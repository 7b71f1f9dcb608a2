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

/// out[i] = x[i] / divisor for i < n (madmom's float32 peak normalisation), and
/// out[i] = a[i] * b[i] (the window). Division and multiplication are correctly rounded in every
/// SIMD width, so the AVX-512 paths (taken when the CPU has them) give the scalar loops' bytes.
void stemtrace_divide(float *restrict out, const float *restrict x, float divisor, size_t n);
void stemtrace_multiply(float *restrict out, const float *restrict a, const float *restrict b, size_t n);

/// out[k] = sqrt(re_k * re_k + im_k * im_k) for the n interleaved (re, im) pairs of `spectrum`,
/// multiplied and added separately (never fused), so every width gives the scalar loop's bytes.
void stemtrace_magnitudes(float *restrict out, const float *restrict spectrum, size_t n);

/// out[k] = float(sqrt(re_k² + im_k²)) with re_k = spectrum[2k] · scale and im_k = spectrum[2k+1] ·
/// scale in float64 (the composed spectra of explanations), each operation rounded separately
/// as the Swift loop it replaces did, so the AVX-512 path gives the scalar loop's bytes.
void stemtrace_scaled_magnitudes_f64(float *restrict out, const double *restrict spectrum, double scale, size_t n);
/// The largest |float(x[i])| over the n values (0 when n is 0): a maximum, which no order of
/// comparison changes for finite values; AVX-512 when the CPU has it. For the peak of a composed
/// waveform (882 000 samples per 40-s excerpt), which a one-value-at-a-time loop took 0.7 ms over.
float stemtrace_peak_abs_f64(const double *x, size_t n);

/// The same, always by the scalar loop (for the test that the two paths agree).
void stemtrace_scaled_magnitudes_f64_portable(float *restrict out, const double *restrict spectrum, double scale,
                                              size_t n);

/// Running median of the `n` values x[0], x[stride], … with an odd `kernel` and scipy's 'reflect'
/// boundary (… b a | a b …), written to out[i · out_stride] for i in first ..< last. `window` is
/// scratch for at least `kernel` rounded up to 16 floats. A sorted window slides one value at a
/// time: two branch-free counts find where the leaving value is and where the entering one
/// goes (AVX-512 when the CPU has it), and one memmove shifts the values between. The result
/// is exactly the median of each window (a selected value, no arithmetic).
void stemtrace_running_median(const float *x, size_t n, ptrdiff_t stride, size_t kernel, float *out,
                              ptrdiff_t out_stride, size_t first, size_t last, float *window);

/// The index of the first NaN or infinite value among the n at `x`, or n when all are finite
/// (exponent bits all ones), AVX-512 when the CPU has it: a decoded 10-minute track is 13 million
/// samples, which a scalar scan took 8 ms over.
size_t stemtrace_first_non_finite(const float *x, size_t n);

#endif
