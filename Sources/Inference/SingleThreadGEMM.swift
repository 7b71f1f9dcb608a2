import CDNNL
import COpenBLAS
import DSP

/// C (m × n, row stride ldc) = A (m × k, row-major, lda) · B (k × n, row-major, ldb), on the
/// calling thread alone, through oneDNN's `dnnl_sgemm`; the im2col and 1×1 convolutions of the
/// RF-ResNet call it from their own workers, one tile each.
///
/// Why oneDNN rather than OpenBLAS here: on this model's shapes, one thread, `dnnl_sgemm` ran
/// 10–34 % faster than OpenBLAS 0.3.21's `cblas_sgemm` (docs/BENCHMARKS.md, "RF-ResNet forward"),
/// and with beta 0 it writes C without OpenBLAS's separate zeroing pass over it (`sgemm_beta`,
/// 5 % of a forward's CPU time). The thread count is pinned to one around the call so that
/// oneDNN never splits the sum over k between threads: the bytes of a result must not depend on
/// the thread count (determinism, docs/ARCHITECTURE.md). Should oneDNN refuse the call, OpenBLAS
/// computes it instead.
enum SingleThreadGEMM {
    static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let previous = omp_get_max_threads()
        if previous != 1 { omp_set_num_threads(1) }
        let status = dnnl_sgemm(
            CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), Int64(m), Int64(n), Int64(k), 1, a, Int64(lda), b, Int64(ldb),
            0, c, Int64(ldc))
        if previous != 1 { omp_set_num_threads(previous) }
        guard status != dnnl_success else { return }
        _ = BLASThreading.singleThreaded
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c,
            Int32(ldc))
    }
}
