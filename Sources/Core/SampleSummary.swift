/// Descriptive statistics of a sample, as the queries and plots report them.
public struct SampleSummary: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    public let standardDeviation: Double
    public let minimum: Double
    public let lowerQuartile: Double
    public let median: Double
    public let upperQuartile: Double
    public let maximum: Double

    /// nil for an empty sample. Quantiles interpolate linearly between order statistics (numpy's
    /// default, `method='linear'`); the standard deviation is the population one (ddof 0).
    public init?(_ values: [Double]) {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard let first = sorted.first, let last = sorted.last else { return nil }
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        let m = mean
        standardDeviation = (sorted.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(sorted.count)).squareRoot()
        minimum = first
        maximum = last
        lowerQuartile = Self.quantile(sorted, 0.25)
        median = Self.quantile(sorted, 0.5)
        upperQuartile = Self.quantile(sorted, 0.75)
    }

    /// The q-quantile of sorted values with linear interpolation (numpy `quantile` default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of an empty sample")
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Pearson's correlation of paired samples; nil when fewer than 2 pairs or a constant side.
    public static func correlation(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "paired samples differ in length")
        guard x.count >= 2 else { return nil }
        let mx = x.reduce(0, +) / Double(x.count)
        let my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }
}
