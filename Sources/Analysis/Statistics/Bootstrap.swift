import Core

/// How genre figures get their intervals and tests (issue 16): percentile bootstrap intervals of
/// track means and permutation tests of genre-versus-rest differences, both seeded, so the same
/// store and settings always print the same numbers. Recorded in every table's notes.
public struct UncertaintySettings: Sendable, Hashable, Codable {
    /// Bootstrap resamples of tracks; 0 turns intervals off.
    public var resamples: Int
    /// The interval's coverage, e.g. 0.95.
    public var level: Double
    /// Random permutations when exact enumeration would need more; 0 turns tests off.
    public var permutations: Int
    public var seed: UInt64

    public init(resamples: Int = 1000, level: Double = 0.95, permutations: Int = 2000, seed: UInt64 = 0) {
        self.resamples = resamples
        self.level = level
        self.permutations = permutations
        self.seed = seed
    }

    /// "95 %" (or "no" when intervals are off), for chart labels.
    public var levelText: String { resamples > 0 ? "\(Int((level * 100).rounded())) %" : "no" }

    /// The line a table's notes carry, so that a figure can be reproduced.
    public var note: String {
        var parts: [String] = []
        parts.append(
            resamples > 0
                ? "intervals: percentile bootstrap, \(Int((level * 100).rounded())) %, \(resamples) resamples of tracks (track means of excerpts), seed \(seed)"
                : "intervals: off")
        parts.append(
            permutations > 0
                ? "p: two-sided permutation test of the difference of means (exact when at most \(permutations) splits, else \(permutations) random ones), q: Benjamini–Hochberg over this table's rows"
                : "tests: off")
        return parts.joined(separator: "; ")
    }
}

/// A confidence interval.
public struct Interval: Sendable, Equatable {
    public var low: Double
    public var high: Double
    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }
}

extension UncertaintySettings {
    /// The bootstrap interval of `values`' mean under these settings (nil when off or empty).
    public func interval(_ values: [Double], stream: String) -> Interval? {
        Bootstrap.meanInterval(values, resamples: resamples, level: level, seed: seed, stream: stream).map {
            Interval(low: $0.low, high: $0.high)
        }
    }

    /// The permutation p-value of `a` against `b` under these settings (nil when off or a group is empty).
    public func pValue(_ a: [Double], _ b: [Double], stream: String) -> Double? {
        PermutationTest.pValue(a, b, permutations: permutations, seed: seed, stream: stream)
    }
}

/// A percentile bootstrap confidence interval of a mean: `resamples` draws of n values with
/// replacement, each draw's mean, and the (1 − level)/2 and (1 + level)/2 quantiles of those means
/// by linear interpolation between order statistics (numpy's default `quantile` method).
public enum Bootstrap {
    /// The interval of `values`' mean; nil for no values. Draws come from a SplitMix64 seeded with
    /// `seed` mixed with `stream` (a row's name), so rows are independent and reproducible.
    public static func meanInterval(_ values: [Double], resamples: Int, level: Double, seed: UInt64, stream: String)
        -> (low: Double, high: Double)?
    {
        let n = Double(values.count)
        return interval(count: values.count, resamples: resamples, level: level, seed: seed, stream: stream) { draw in
            draw.reduce(0.0) { $0 + values[$1] } / n
        }
    }

    /// The percentile interval of any statistic of n paired items (e.g. RMSE of predictions
    /// against labels): `resamples` draws of n indices with replacement; draws where the
    /// statistic is undefined (nil) are left out. nil when fewer than half the draws give a value.
    public static func interval(
        count n: Int, resamples: Int, level: Double, seed: UInt64, stream: String, statistic: ([Int]) -> Double?
    ) -> (low: Double, high: Double)? {
        guard n > 0, resamples > 0 else { return nil }
        var rng = SplitMix64(seed: seed ^ streamKey(stream))
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var draw = [Int](repeating: 0, count: n)
        for _ in 0..<resamples {
            for k in 0..<n { draw[k] = rng.index(below: n) }
            if let v = statistic(draw), v.isFinite { values.append(v) }
        }
        guard values.count * 2 >= resamples else { return nil }
        return percentileInterval(of: values, level: level)
    }

    /// The interval from given resample indices (each row: n indices into `values`): what the
    /// tests compare with values computed independently.
    public static func meanInterval(_ values: [Double], indices: [[Int]], level: Double) -> (low: Double, high: Double)? {
        guard !values.isEmpty, !indices.isEmpty else { return nil }
        let means = indices.map { draw in draw.reduce(0.0) { $0 + values[$1] } / Double(draw.count) }
        return percentileInterval(of: means, level: level)
    }

    static func percentileInterval(of means: [Double], level: Double) -> (low: Double, high: Double) {
        let sorted = means.sorted()
        let tail = (1 - level) / 2
        return (quantile(sorted, tail), quantile(sorted, 1 - tail))
    }

    /// numpy's `quantile(..., method="linear")` of sorted values: position h = (n − 1)·q,
    /// interpolated between the order statistics around it.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let h = Double(sorted.count - 1) * min(max(q, 0), 1)
        let below = Int(h.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (h - Double(below)) * (sorted[above] - sorted[below])
    }

    /// A 64-bit key of a row's name (FNV-1a), mixed into the seed.
    static func streamKey(_ stream: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
