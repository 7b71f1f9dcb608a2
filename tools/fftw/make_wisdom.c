// Measures FFTW plans once, for the transforms stemtrace makes, and prints them as FFTW wisdom
// (tools/fftw/make_wisdom regenerates Sources/DSP/FFTWisdom.swift from this output).
// Each plan is made exactly as FFTWRealBuffers.plan makes it: single precision, out of place,
// on fftwf_malloc'd buffers, 1-D real-to-complex and complex-to-real, flags FFTW_MEASURE.
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: make_wisdom SIZE...\n");
        return 64;
    }
    for (int a = 1; a < argc; a++) {
        int n = atoi(argv[a]);
        if (n <= 0 || n % 2) {
            fprintf(stderr, "bad size %s\n", argv[a]);
            return 64;
        }
        float *real = fftwf_alloc_real((size_t)n);
        fftwf_complex *bins = fftwf_alloc_complex((size_t)n / 2 + 1);
        fftwf_plan forward = fftwf_plan_dft_r2c_1d(n, real, bins, FFTW_MEASURE);
        fftwf_plan inverse = fftwf_plan_dft_c2r_1d(n, bins, real, FFTW_MEASURE);
        if (!forward || !inverse) {
            fprintf(stderr, "FFTW could not plan size %d\n", n);
            return 1;
        }
        fftwf_destroy_plan(forward);
        fftwf_destroy_plan(inverse);
        fftwf_free(real);
        fftwf_free(bins);
    }
    char *wisdom = fftwf_export_wisdom_to_string();
    if (!wisdom) return 1;
    fputs(wisdom, stdout);
    free(wisdom);
    return 0;
}
