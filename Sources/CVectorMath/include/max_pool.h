// 2 × 2 max pooling of one plane (the RF-ResNet's pools after stage1.block1 and block2).
#ifndef STEMTRACE_MAX_POOL_H
#define STEMTRACE_MAX_POOL_H

#include <stddef.h>

/// out[i · out_width + j] = m(m(x[2i][2j], x[2i][2j+1]), m(x[2i+1][2j], x[2i+1][2j+1])) for
/// i < out_height, j < out_width, where x[r][c] = in[r · in_width + c] and m(a, b) = (b ≥ a) ? b : a
/// (Swift's `max(a, b)`, so NaN and signed zeros come out as the Swift loop's did). The AVX-512
/// path (taken when the CPU has it) gives the scalar loop's bytes: it only selects values.
void stemtrace_max_pool2x2(const float *in, size_t in_width, float *out, size_t out_height, size_t out_width);

/// The same, always by the scalar loop (for the test that the two paths agree).
void stemtrace_max_pool2x2_portable(const float *in, size_t in_width, float *out, size_t out_height, size_t out_width);

#endif
