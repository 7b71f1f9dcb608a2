#include <fftw3.h>

/// FFTW's version string ("fftw-3.3.10-sse2-avx"); an incomplete array, which Swift does not import.
static inline const char *stemtrace_fftwf_version(void) { return fftwf_version; }
