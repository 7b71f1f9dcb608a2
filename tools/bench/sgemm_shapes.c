// One-thread sgemm on the RF-ResNet's im2col / 1×1 shapes: OpenBLAS's cblas_sgemm against
// oneDNN's dnnl_sgemm, the same column chunks as Kernels.pointwise / conv2d (tools/bench/sgemm).
//
//   sgemm_shapes M N K LDC   (C is M × LDC, computed in chunks of N columns; best of 50)
#include <cblas.h>
#include <dnnl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: sgemm_shapes M N K LDC\n");
        return 2;
    }
    const long m = atol(argv[1]), n = atol(argv[2]), k = atol(argv[3]), ldc = atol(argv[4]);
    if (m <= 0 || n <= 0 || k <= 0 || ldc < n) return 2;
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * ldc);
    float *c = malloc(sizeof(float) * m * ldc), *d = malloc(sizeof(float) * m * ldc);
    if (!a || !b || !c || !d) return 1;
    srand(1);
    for (long i = 0; i < m * k; i++) a[i] = (float)(rand() % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < k * ldc; i++) b[i] = (float)(rand() % 1000) / 1000.0f - 0.5f;
    openblas_set_num_threads(1);
    omp_set_num_threads(1);
    double best_blas = 1e9, best_dnnl = 1e9;
    for (int r = 0; r < 50; r++) {
        double t = now();
        for (long col = 0; col + n <= ldc; col += n)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b + col, ldc, 0, c + col, ldc);
        t = now() - t;
        if (t < best_blas) best_blas = t;
        t = now();
        for (long col = 0; col + n <= ldc; col += n) dnnl_sgemm('N', 'N', m, n, k, 1, a, k, b + col, ldc, 0, d + col, ldc);
        t = now() - t;
        if (t < best_dnnl) best_dnnl = t;
    }
    const double flop = 2.0 * m * k * (double)(ldc / n * n);
    printf("M %ld N %ld K %ld: OpenBLAS %.2f ms (%.0f GFLOP/s), oneDNN %.2f ms (%.0f GFLOP/s), OpenBLAS / oneDNN %.2f\n", m,
           n, k, best_blas * 1e3, flop / best_blas / 1e9, best_dnnl * 1e3, flop / best_dnnl / 1e9, best_blas / best_dnnl);
    return 0;
}
