import Foundation

/// Source-separation quality of one estimated stem against its reference, as
/// The maintainers' separation reference (SEPARATION.md) scores it: whole signals, float64 arithmetic.
///
/// - SI-SDR = 10·log10(|αs|² / |αs − ŝ|²) with α = ⟨ŝ,s⟩/|s|² (scale-invariant);
/// - SDR = 10·log10(|s|² / |s − ŝ|²) (plain signal-to-distortion ratio, not BSS Eval's).
///
/// Both are `nil` when undefined: an all-zero reference, signals of different lengths, or
/// non-finite samples. Results are clamped to ±`limit` dB, so a perfect estimate (zero error)
/// scores exactly `+limit` and the SI-SDR of an all-zero (or orthogonal) estimate is exactly
/// `−limit`: never infinite, never NaN, and means over many pieces stay finite. 200 dB is far
/// beyond the float32 rounding floor (about 150 dB), so the clamp only ever replaces
/// "numerically exact".
public enum SeparationMetrics {
    /// The largest magnitude returned, in dB.
    public static let limit = 200.0

    /// Scale-invariant signal-to-distortion ratio of `estimate` against `reference`, in dB.
    public static func siSDR(estimate: [Float], reference: [Float]) -> Double? {
        guard estimate.count == reference.count else { return nil }
        var dot = 0.0
        var referenceEnergy = 0.0
        for i in reference.indices {
            let s = Double(reference[i])
            dot += Double(estimate[i]) * s
            referenceEnergy += s * s
        }
        guard referenceEnergy > 0, referenceEnergy.isFinite, dot.isFinite else { return nil }
        let alpha = dot / referenceEnergy
        var errorEnergy = 0.0
        for i in reference.indices {
            let e = alpha * Double(reference[i]) - Double(estimate[i])
            errorEnergy += e * e
        }
        return decibels(alpha * alpha * referenceEnergy, over: errorEnergy)
    }

    /// Signal-to-distortion ratio of `estimate` against `reference`, in dB.
    public static func sdr(estimate: [Float], reference: [Float]) -> Double? {
        guard estimate.count == reference.count else { return nil }
        var referenceEnergy = 0.0
        var errorEnergy = 0.0
        for i in reference.indices {
            let s = Double(reference[i])
            let e = s - Double(estimate[i])
            referenceEnergy += s * s
            errorEnergy += e * e
        }
        guard referenceEnergy > 0, referenceEnergy.isFinite else { return nil }
        return decibels(referenceEnergy, over: errorEnergy)
    }

    /// 10·log10(signal / error), clamped to ±`limit`; nil when either energy is not finite.
    static func decibels(_ signal: Double, over error: Double) -> Double? {
        guard signal.isFinite, error.isFinite else { return nil }
        // No target component at all (a silent or orthogonal estimate) is the worst case, even
        // when the error is zero too (SI-SDR of silence: 0/0).
        if signal <= 0 { return -limit }
        if error <= 0 { return limit }
        return min(limit, max(-limit, 10 * log10(signal / error)))
    }
}
