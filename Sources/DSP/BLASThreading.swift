import COpenBLAS

/// OpenBLAS's own thread pool. Stages that already run one task per core (ingest's worker pool)
/// limit BLAS to one thread so the two kinds of parallelism do not oversubscribe the cores.
public enum BLASThreading {
    public static func limit(to threads: Int) { openblas_set_num_threads(Int32(max(1, threads))) }
}
