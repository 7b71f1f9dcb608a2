/// Errors of the plot builders. Each case names the chart part or parameter it concerns, so a report
/// generator can say which figure it could not draw and why.
public enum PlotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A canvas size that is not finite or is too small to hold axes and labels.
    case invalidSize(width: Double, height: Double, minimumWidth: Double, minimumHeight: Double)
    /// A configuration value (range bound, band edge, marker position, …) that is NaN or infinite.
    case nonFiniteValue(parameter: String)
    /// A range whose bounds are out of order or equal where a width is needed.
    case emptyRange(parameter: String, lower: Double, upper: Double)
    /// A domain too wide for binary64 (its span overflows) or too narrow relative to its magnitude to be ticked.
    case unrepresentableDomain(lower: Double, upper: Double)
    /// A tick or bin count outside what the builder accepts.
    case invalidCount(parameter: String, count: Int, allowed: ClosedRange<Int>)
    /// Paired or per-category data of different lengths.
    case lengthMismatch(what: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .invalidSize(w, h, minW, minH):
            "plot size \(Self.text(w)) × \(Self.text(h)) is not allowed (finite, at least \(Self.text(minW)) × \(Self.text(minH)))"
        case let .nonFiniteValue(parameter): "\(parameter) must be a finite number"
        case let .emptyRange(parameter, lower, upper):
            "\(parameter): range \(Self.text(lower))…\(Self.text(upper)) is empty; the lower bound must be below the upper"
        case let .unrepresentableDomain(lower, upper):
            "the data domain \(Self.text(lower))…\(Self.text(upper)) cannot be put on an axis in double precision"
        case let .invalidCount(parameter, count, allowed):
            "\(parameter) \(count) is outside \(allowed.lowerBound)…\(allowed.upperBound)"
        case let .lengthMismatch(what, expected, found): "\(what): expected \(expected) values, found \(found)"
        }
    }

    /// Numbers in messages, spelled without "nan"/"inf" so an error text can be shown inside a plot.
    private static func text(_ value: Double) -> String {
        PlotNumberFormat.fixed(value, decimals: 6, trimmingZeros: true) ?? "(not finite)"
    }
}
