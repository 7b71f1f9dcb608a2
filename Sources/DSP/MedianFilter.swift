import CVectorMath

/// Running medians along one axis of a frame-major matrix, as `scipy.ndimage.median_filter` with
/// a 1-D kernel and `mode='reflect'` (… c b a | a b c … : the edge sample is repeated). Odd
/// kernels only, so the median is one of the values (no averaging). A sorted window slides one
/// element at a time (`stemtrace_running_median`): two counts and one short memmove per output
/// instead of a sort.
///
/// Harmonic-percussive separation (Fitzgerald 2010) uses it along time within each frequency
/// row (harmonic) and along frequency within each frame (percussive).
public enum MedianFilter {
    /// Median along time: for each bin k in `bins`, out[t, k] = median of in[t', k] for t' in t ± kernel/2.
    public static func alongTime(_ input: [Float], frames: Int, bins: Int, kernel: Int, rows: Range<Int>? = nil) -> [Float] {
        precondition(kernel % 2 == 1, "median kernels must be odd")
        var out = [Float](repeating: 0, count: frames * bins)
        var window = [Float](repeating: 0, count: windowCapacity(kernel))
        input.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                for k in rows ?? 0..<bins {
                    guard let inBase = x.baseAddress, let outBase = o.baseAddress else { return }
                    slide(
                        inBase + k, count: frames, stride: bins, kernel: kernel, output: outBase + k, outStride: bins,
                        window: &window)
                }
            }
        }
        return out
    }

    /// Median along frequency: for each frame t, out[t, k] = median of in[t, k'] for k' in k ± kernel/2,
    /// computed for output bins in `rows` (neighbours outside `rows` are still read).
    public static func alongFrequency(_ input: [Float], frames: Int, bins: Int, kernel: Int, rows: Range<Int>? = nil) -> [Float] {
        precondition(kernel % 2 == 1, "median kernels must be odd")
        var out = [Float](repeating: 0, count: frames * bins)
        var window = [Float](repeating: 0, count: windowCapacity(kernel))
        let range = rows ?? 0..<bins
        input.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                guard let inBase = x.baseAddress, let outBase = o.baseAddress else { return }
                for t in 0..<frames {
                    slide(
                        inBase + t * bins, count: bins, stride: 1, kernel: kernel, output: outBase + t * bins, outStride: 1,
                        window: &window, outputs: range)
                }
            }
        }
        return out
    }

    /// scipy's 'reflect' index: -1 → 0, -2 → 1, n → n-1, n+1 → n-2, periodic with period 2n.
    @inline(__always)
    static func reflect(_ i: Int, _ n: Int) -> Int {
        var j = i % (2 * n)
        if j < 0 { j += 2 * n }
        return j < n ? j : 2 * n - 1 - j
    }

    /// Running median of a strided sequence of `count` values into a strided output, for the
    /// output positions in `outputs` (default all), in C (`stemtrace_running_median`).
    static func slide(
        _ x: UnsafePointer<Float>, count n: Int, stride: Int, kernel: Int,
        output: UnsafeMutablePointer<Float>, outStride: Int, window: inout [Float], outputs: Range<Int>? = nil
    ) {
        let range = outputs ?? 0..<n
        guard !range.isEmpty else { return }
        precondition(window.count >= windowCapacity(kernel), "median window scratch too small")
        window.withUnsafeMutableBufferPointer { w in
            stemtrace_running_median(
                x, n, stride, kernel, output, outStride, range.lowerBound, range.upperBound, w.baseAddress)
        }
    }

    /// Scratch floats a window of `kernel` needs: rounded up to whole 16-float vectors.
    static func windowCapacity(_ kernel: Int) -> Int { (kernel + 15) / 16 * 16 }
}
