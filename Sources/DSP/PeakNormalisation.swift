/// madmom's `normalize` (divide by the float32 peak) and numpy's `trim_zeros` (drop leading and
/// trailing samples equal to 0.0, which includes -0.0), the two steps before framing.
public enum PeakNormalisation {
    /// max |x|; NaN propagates (returns NaN) so callers can reject non-finite input.
    public static func peak(_ x: UnsafeBufferPointer<Float>) -> Float {
        var m: Float = 0
        for v in x {
            let a = abs(v)
            if !(a <= m) { m = a.isNaN ? .nan : a; if m.isNaN { return .nan } }
        }
        return m
    }

    /// The half-open range kept by `np.trim_zeros(x, 'fb')`; empty when every sample is zero.
    public static func trimmedRange(_ x: [Float]) -> Range<Int> {
        guard let first = x.firstIndex(where: { $0 != 0 }), let last = x.lastIndex(where: { $0 != 0 }) else {
            return 0..<0
        }
        return first..<(last + 1)
    }
}
