import COpenBLAS
import CVectorMath

/// madmom's `normalize` (divide by the float32 peak) and numpy's `trim_zeros` (drop leading and
/// trailing samples equal to 0.0, which includes -0.0), the two steps before framing.
public enum PeakNormalisation {
    /// max |x| (BLAS `isamax`), or NaN when any sample is NaN or infinite (checked through
    /// BLAS `sasum`, with an exact scan only when that sum is not finite).
    public static func peak(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let base = x.baseAddress, !x.isEmpty else { return 0 }
        let n = Int32(x.count)
        _ = BLASThreading.singleThreaded
        if !cblas_sasum(n, base, 1).isFinite, x.contains(where: { !$0.isFinite }) { return .nan }
        return abs(base[Int(cblas_isamax(n, base, 1))])
    }

    /// max |Float(x)| of a float64 signal (a composed perturbation's waveform), 0 when empty:
    /// `stemtrace_peak_abs_f64`, vectorised; the maximum of finite values is the same in any
    /// order, so this equals a running `max` over the samples.
    public static func peak(_ x: UnsafeBufferPointer<Double>) -> Float {
        guard let base = x.baseAddress, !x.isEmpty else { return 0 }
        return stemtrace_peak_abs_f64(base, x.count)
    }

    /// The range `np.trim_zeros` keeps of the normalised signal `x / peak` (a sample is trimmed
    /// when its normalised value is exactly zero), found without materialising the division.
    public static func trimmedRange(_ x: UnsafeBufferPointer<Float>, dividedBy peak: Float) -> Range<Int> {
        guard let first = x.firstIndex(where: { $0 / peak != 0 }), let last = x.lastIndex(where: { $0 / peak != 0 }) else {
            return 0..<0
        }
        return first..<(last + 1)
    }
}
