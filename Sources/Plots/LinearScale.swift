/// An affine map from a data domain to a pixel range, e.g. `[0, 1] → [360, 40]` for a y axis (pixel y grows
/// downwards, so the range may run backwards).
///
/// A zero-width domain (all data equal) maps every value to the middle of the range instead of dividing by zero.
/// Values outside the domain extrapolate; NaN and infinities map to non-finite pixels, which `SVGDocument` drops.
public struct LinearScale: Sendable, Equatable {
    public let domainLower: Double
    public let domainUpper: Double
    public let rangeStart: Double
    public let rangeEnd: Double

    /// `domain` is mapped onto `rangeStart…rangeEnd` (lower bound to `rangeStart`). Throws
    /// `PlotError.nonFiniteValue` if a bound is not finite.
    public init(domain: ClosedRange<Double>, rangeStart: Double, rangeEnd: Double) throws(PlotError) {
        guard domain.lowerBound.isFinite, domain.upperBound.isFinite else { throw .nonFiniteValue(parameter: "scale domain") }
        guard rangeStart.isFinite, rangeEnd.isFinite else { throw .nonFiniteValue(parameter: "scale range") }
        domainLower = domain.lowerBound
        domainUpper = domain.upperBound
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
    }

    /// Pixel position of a data value.
    public func callAsFunction(_ value: Double) -> Double {
        let span = domainUpper - domainLower
        guard span > 0 else { return value.isFinite ? (rangeStart + rangeEnd) / 2 : .nan }
        return rangeStart + (value - domainLower) / span * (rangeEnd - rangeStart)
    }

    /// The pixel position of `value` clamped to the domain first, for shapes that must stay inside the plot area.
    public func clamped(_ value: Double) -> Double {
        self(min(max(value, domainLower), domainUpper))
    }

    /// Whether `value` lies in the domain (bounds included).
    public func contains(_ value: Double) -> Bool {
        value >= domainLower && value <= domainUpper
    }
}
