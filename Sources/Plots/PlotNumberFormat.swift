/// Locale-independent number spelling for SVG attributes and axis labels.
///
/// Digits come from integer arithmetic, never from `printf` or a `NumberFormatter`, so the decimal
/// separator is always "." whatever the process locale, and non-finite values have no spelling at all.
public enum PlotNumberFormat {
    /// Decimals used for coordinates and lengths in SVG output (1/100 px).
    public static let coordinateDecimals = 2

    /// `value` rounded half away from zero to `decimals` (0…9) fractional digits, e.g. `fixed(0.125, decimals: 2)`
    /// is "0.13" and `fixed(2, decimals: 2, trimmingZeros: true)` is "2". nil when `value` is NaN or infinite.
    /// Negative zero (also after rounding) is spelled "0". Magnitudes of 9·10^15 / 10^decimals and above, where
    /// binary64 has no fractional digits left, fall back to Swift's shortest round-trip spelling ("1e+20").
    public static func fixed(_ value: Double, decimals: Int, trimmingZeros: Bool = false) -> String? {
        guard value.isFinite else { return nil }
        let digits = min(max(decimals, 0), 9)
        var power: UInt64 = 1
        for _ in 0..<digits { power *= 10 }
        let scaled = (value * Double(power)).rounded(.toNearestOrAwayFromZero)
        guard scaled.magnitude < 9.0e15 else { return value.description }
        let units = Int64(scaled)
        let magnitude = units.magnitude
        var fraction = digits > 0 ? String(magnitude % power) : ""
        if fraction.count < digits { fraction = String(repeating: "0", count: digits - fraction.count) + fraction }
        if trimmingZeros {
            while fraction.last == "0" { fraction.removeLast() }
        }
        let sign = units < 0 ? "-" : ""
        return sign + String(magnitude / power) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// A coordinate or length: `coordinateDecimals` decimals, trailing zeros dropped ("12.5", "300").
    public static func coordinate(_ value: Double) -> String? {
        fixed(value, decimals: coordinateDecimals, trimmingZeros: true)
    }
}
