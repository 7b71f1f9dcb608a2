import Foundation

/// madmom's `LogarithmicFilterbank(num_bands=24, fmin=20, fmax=16000, fref=440,
/// norm_filters=True, unique_filters=True)` built bit for bit as madmom 0.16.1 builds it
/// (docs/ARCHITECTURE.md, "The front end"): log-spaced frequencies, nearest FFT bin with ties to the
/// upper bin, duplicate bins removed, overlapping triangles over consecutive bin triples,
/// each divided by its float32 sum taken in numpy's pairwise order.
///
/// Stored sparsely: band `b` covers bins `bandStart[b] ..< bandStart[b] + weights[b].count`.
public struct LogarithmicFilterbank: Sendable, Equatable {
    /// First FFT bin of each band.
    public let bandStart: [Int]
    /// Filter values of each band, from its first bin (always zero) to the bin before its stop.
    public let weights: [[Float]]
    /// Number of FFT bins the bank applies to (rows of the dense matrix).
    public let binCount: Int
    /// The unique FFT bins whose consecutive triples define the bands.
    public let uniqueBins: [Int]
    /// The log-spaced candidate frequencies inside [fmin, fmax].
    public let logFrequencies: [Double]

    public var bandCount: Int { bandStart.count }

    public init(config: SpectrogramConfig = .paper) {
        let binCount = config.binCount
        let binWidth = Double(config.sampleRate) / Double(config.frameSize)
        let binFrequencies = (0..<binCount).map { Double($0) * binWidth }
        let frequencies = Self.logFrequencies(config)
        let bins = Self.nearestBins(frequencies, binFrequencies: binFrequencies)
        let unique = Array(Set(bins)).sorted()

        var starts: [Int] = []
        var weights: [[Float]] = []
        for b in 0..<(unique.count - 2) {
            let (s, c, e) = (unique[b], unique[b + 1], unique[b + 2])
            starts.append(s)
            weights.append(Self.triangle(start: s, center: c, stop: e))
        }
        self.bandStart = starts
        self.weights = weights
        self.binCount = binCount
        self.uniqueBins = unique
        self.logFrequencies = frequencies
    }

    /// The dense `binCount × bandCount` matrix (row-major), as madmom stores it.
    public func denseMatrix() -> [Float] {
        var m = [Float](repeating: 0, count: binCount * bandCount)
        for (b, w) in weights.enumerated() {
            for (j, v) in w.enumerated() { m[(bandStart[b] + j) * bandCount + b] = v }
        }
        return m
    }

    /// madmom `log_frequencies`: 440 · 2^(j/24) for floor(log2(fmin/fref)·24) ≤ j < ceil(log2(fmax/fref)·24),
    /// keeping those ≥ fmin (searchsorted left) and ≤ fmax (searchsorted right).
    static func logFrequencies(_ config: SpectrogramConfig) -> [Double] {
        let bpo = Double(config.bandsPerOctave)
        let lo = Int((log2(config.minFrequency / config.referenceFrequency) * bpo).rounded(.down))
        let hi = Int((log2(config.maxFrequency / config.referenceFrequency) * bpo).rounded(.up))
        return (lo..<hi)
            .map { config.referenceFrequency * pow(2.0, Double($0) / bpo) }
            .filter { $0 >= config.minFrequency && $0 <= config.maxFrequency }
    }

    /// madmom `frequencies2bins`: left-sided search, clipped to [1, n-1], then step down when the
    /// lower neighbour is strictly closer (so exact ties go to the upper bin).
    static func nearestBins(_ frequencies: [Double], binFrequencies: [Double]) -> [Int] {
        frequencies.map { f in
            var i = binFrequencies.firstIndex { $0 >= f } ?? binFrequencies.count
            i = min(max(i, 1), binFrequencies.count - 1)
            return (f - binFrequencies[i - 1]) < (binFrequencies[i] - f) ? i - 1 : i
        }
    }

    /// madmom `TriangularFilter`: `linspace(0, 1, c-s, endpoint=False)` rising, then
    /// `linspace(1, 0, e-c, endpoint=False)` falling, computed in binary64 as index × step + start,
    /// cast to float32 and divided by the float32 sum.
    static func triangle(start s: Int, center c: Int, stop e: Int) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(e - s)
        let rise = 1.0 / Double(c - s)
        for i in 0..<(c - s) { values.append(Float(Double(i) * rise)) }
        let fall = -1.0 / Double(e - c)
        for i in 0..<(e - c) { values.append(Float(Double(i) * fall + 1.0)) }
        let sum = numpyPairwiseSum(values)
        return values.map { $0 / sum }
    }

    /// numpy's float32 `sum` of a contiguous array shorter than 128 elements: left to right below
    /// 8 elements, else eight interleaved partial sums combined as ((p0+p1)+(p2+p3))+((p4+p5)+(p6+p7)),
    /// then the remaining `n mod 8` elements added in order.
    static func numpyPairwiseSum(_ a: [Float]) -> Float {
        precondition(a.count <= 128, "pairwise blocking above 128 elements is not reproduced")
        if a.count < 8 { return a.reduce(0, +) }
        var r = Array(a[0..<8])
        let whole = a.count - a.count % 8
        var i = 8
        while i < whole {
            for j in 0..<8 { r[j] += a[i + j] }
            i += 8
        }
        var total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for k in whole..<a.count { total += a[k] }
        return total
    }
}
