import Foundation

/// numpy's `hanning(M)`: the symmetric Hann window, evaluated as numpy does,
/// `0.5 + 0.5 * cos(pi * k / (M - 1))` with `k = 2n - (M - 1)`, in binary64.
public enum HannWindow {
    public static func symmetric(length m: Int) -> [Double] {
        guard m > 1 else { return [Double](repeating: 1, count: m) }
        return (0..<m).map { n in 0.5 + 0.5 * cos(Double.pi * Double(2 * n - (m - 1)) / Double(m - 1)) }
    }
}
