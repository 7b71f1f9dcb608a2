import Foundation

/// Axis ticks at "nice" steps (1, 2 or 5 × 10^k) covering a data interval, and the matching label spelling.
///
/// For `[0, 1]` and 5 target ticks the step is 0.2 and the ticks are 0, 0.2, …, 1; for `[-0.37, 0.81]` they are
/// -0.4, -0.2, …, 1 (the first and last tick enclose the data). Tick values are computed as integer multiples
/// divided by a power of ten, so they equal the decimal literals (0.6, not 0.6000000000000001). A single value
/// (zero-width interval) is widened by 10 % of its magnitude each way, or to [-1, 1] for 0.
public struct NiceTicks: Sendable, Equatable {
    /// The tick values, ascending; the first is ≤ the data minimum and the last ≥ the data maximum.
    public let values: [Double]
    /// The distance between ticks.
    public let step: Double
    /// Fractional digits that spell every tick exactly (0 for steps of 1 and above).
    public let decimals: Int

    /// The axis domain: first tick…last tick.
    public var domain: ClosedRange<Double> { values[0]...values[values.count - 1] }

    /// Ticks covering `lower…upper` (either order), about `targetCount` intervals (it chooses the nice step
    /// nearest to span / targetCount on a log scale, so there are between about targetCount/2 and 2·targetCount).
    /// `integral` forces a step of at least 1, for counts. Throws `PlotError.nonFiniteValue` for a non-finite
    /// bound, `.invalidCount` for a target outside 1…100, `.unrepresentableDomain` for a span that overflows or
    /// is too small relative to the bounds to be spelled with distinct ticks.
    public init(covering lower: Double, _ upper: Double, targetCount: Int = 5, integral: Bool = false) throws(PlotError) {
        guard lower.isFinite, upper.isFinite else { throw .nonFiniteValue(parameter: "tick interval bound") }
        guard (1...100).contains(targetCount) else {
            throw .invalidCount(parameter: "tick target count", count: targetCount, allowed: 1...100)
        }
        var low = min(lower, upper)
        var high = max(lower, upper)
        if low == high {
            let widening = low == 0 ? 1 : max(low.magnitude * 0.1, integral ? 1 : 0)
            low -= widening
            high += widening
            if !(high > low) {
                low = lower - 1
                high = lower + 1
            }
        }
        let span = high - low
        guard span.isFinite, span > 0 else { throw .unrepresentableDomain(lower: lower, upper: upper) }
        let rawStep = span / Double(targetCount)
        var exponent = Int(log10(rawStep).rounded(.down))
        let error = rawStep / Self.powerOfTen(exponent)
        var multiplier: Int
        if error >= 50.0.squareRoot() {
            multiplier = 10
        } else if error >= 10.0.squareRoot() {
            multiplier = 5
        } else if error >= 2.0.squareRoot() {
            multiplier = 2
        } else {
            multiplier = 1
        }
        if multiplier == 10 {
            multiplier = 1
            exponent += 1
        }
        if integral && exponent < 0 {
            multiplier = 1
            exponent = 0
        }
        guard (-300...300).contains(exponent) else { throw .unrepresentableDomain(lower: lower, upper: upper) }
        let stepValue = Self.value(ofMultiple: 1, multiplier: multiplier, exponent: exponent)
        // A tolerance of 1e-9 steps absorbs rounding in the division (0.6 / 0.2 = 2.9999999999999996), and the
        // adjustments below restore exact coverage when the tolerance overshot.
        let lowIndex = (low / stepValue + 1e-9).rounded(.down)
        let highIndex = (high / stepValue - 1e-9).rounded(.up)
        guard lowIndex.magnitude < 1e15, highIndex.magnitude < 1e15, highIndex - lowIndex < 1000 else {
            throw .unrepresentableDomain(lower: lower, upper: upper)
        }
        var first = Int(lowIndex)
        var last = max(Int(highIndex), first + 1)
        if Self.value(ofMultiple: first, multiplier: multiplier, exponent: exponent) > low { first -= 1 }
        if Self.value(ofMultiple: last, multiplier: multiplier, exponent: exponent) < high { last += 1 }
        values = (first...last).map { Self.value(ofMultiple: $0, multiplier: multiplier, exponent: exponent) }
        step = stepValue
        decimals = max(0, -exponent)
    }

    /// The label of a tick (or any value on this axis) with `decimals` fractional digits, "." as separator.
    public func label(_ value: Double) -> String {
        PlotNumberFormat.fixed(value, decimals: decimals) ?? ""
    }

    /// `index × multiplier × 10^exponent`, dividing by an exact power of ten for negative exponents so that
    /// the result is the double nearest the decimal value.
    private static func value(ofMultiple index: Int, multiplier: Int, exponent: Int) -> Double {
        let units = Double(index * multiplier)
        return exponent >= 0 ? units * powerOfTen(exponent) : units / powerOfTen(-exponent)
    }

    private static func powerOfTen(_ exponent: Int) -> Double {
        pow(10, Double(exponent))
    }
}
