#include <cblas.h>
#include <stddef.h>

// LAPACK routines exported by libopenblas (Debian ships no LAPACK header with it), declared with
// the Fortran calling convention: every argument by pointer, column-major arrays, and one hidden
// trailing length argument per CHARACTER argument (gfortran passes it as size_t).

/// Solves A X = B for symmetric positive definite A by Cholesky (A and B overwritten; info > 0
/// when A is not positive definite).
void dposv_(const char *uplo, const blasint *n, const blasint *nrhs, double *a, const blasint *lda, double *b,
            const blasint *ldb, blasint *info, size_t uplo_len);

/// Minimum-norm least squares min ||B - A X|| by divide-and-conquer SVD (A and B overwritten;
/// singular values below rcond * s_max count as zero; lwork = -1 queries the workspace sizes).
void dgelsd_(const blasint *m, const blasint *n, const blasint *nrhs, double *a, const blasint *lda, double *b,
             const blasint *ldb, double *s, const double *rcond, blasint *rank, double *work, const blasint *lwork,
             blasint *iwork, blasint *info);
