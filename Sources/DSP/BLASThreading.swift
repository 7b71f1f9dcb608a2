import COpenBLAS

/// OpenBLAS runs on one thread in every stemtrace process.
///
/// OpenBLAS splits a multi-threaded sgemm into blocks by thread count, and it rounds the edge
/// rows and columns of a block differently from the rest. A result would then depend on how many
/// threads ran it, which breaks determinism (docs/ARCHITECTURE.md, "Determinism"). So every
/// stage that calls BLAS first evaluates `singleThreaded`, once per process. Parallelism comes
/// from stemtrace's own partitioning instead: ingest's worker pool, the convolution tiles and the
/// musicnn patches. That partitioning is fixed by the shapes, never by the thread count.
public enum BLASThreading {
    /// Sets OpenBLAS's pool to one thread, the first time it is evaluated.
    public static let singleThreaded: Void = openblas_set_num_threads(1)
}
