import COpenBLAS

/// The filterbank applied with BLAS: bands are taken in groups of eight consecutive bands, each
/// group a small dense block over the contiguous FFT bins its bands cover, so filtering a chunk of
/// frames is a handful of `sgemm` calls (about 4× the multiply-adds of a sparse product, but far
/// faster than per-band loops). madmom likewise filters with a BLAS product (`np.dot`), whose
/// summation order is unspecified; the entries outside a band are exact zeros.
struct BandedFilterbank: Sendable {
    struct Group: Sendable {
        let firstBand: Int
        let bandCount: Int
        let firstBin: Int
        let binCount: Int
        /// bandCount × binCount, row-major.
        let weights: [Float]
    }

    static let bandsPerGroup = 8
    let groups: [Group]

    init(_ bank: LogarithmicFilterbank) {
        var groups: [Group] = []
        for first in stride(from: 0, to: bank.bandCount, by: Self.bandsPerGroup) {
            let last = min(bank.bandCount, first + Self.bandsPerGroup)
            let lo = bank.bandStart[first]
            let hi = (first..<last).map { bank.bandStart[$0] + bank.weights[$0].count }.max() ?? lo
            var weights = [Float](repeating: 0, count: (last - first) * (hi - lo))
            for b in first..<last {
                for (j, v) in bank.weights[b].enumerated() { weights[(b - first) * (hi - lo) + bank.bandStart[b] - lo + j] = v }
            }
            groups.append(Group(firstBand: first, bandCount: last - first, firstBin: lo, binCount: hi - lo, weights: weights))
        }
        self.groups = groups
    }

    /// out[b * frameStride + t] = Σ_k magnitudes[t * binStride + k] · W[k, b] for t < frames.
    func apply(
        magnitudes: UnsafePointer<Float>, binStride: Int, frames: Int,
        into out: UnsafeMutablePointer<Float>, frameStride: Int
    ) {
        for g in groups {
            g.weights.withUnsafeBufferPointer { w in
                _ = BLASThreading.singleThreaded
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans,
                    Int32(g.bandCount), Int32(frames), Int32(g.binCount), 1,
                    w.baseAddress, Int32(g.binCount),
                    magnitudes + g.firstBin, Int32(binStride),
                    0, out + g.firstBand * frameStride, Int32(frameStride))
            }
        }
    }
}
