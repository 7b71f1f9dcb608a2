/// `sklearn.metrics.r2_score(y, ŷ, sample_weight=w)`, which `Ridge.score` returns (docs/EXPLAIN.md, after audioLIME,
/// step 5c): 1 − Σ w (y − ŷ)² / Σ w (y − ȳ)² with ȳ the weighted mean, and scikit-learn's
/// force_finite rule: a zero numerator scores 1.0 (even over a zero denominator), a non-zero
/// numerator over a zero denominator scores 0.0.
public enum WeightedR2 {
    public static func score(labels y: [Double], predictions yhat: [Double], weights w: [Double]) -> Double {
        precondition(
            y.count == yhat.count && y.count == w.count, "r2: \(y.count) labels, \(yhat.count) predictions, \(w.count) weights")
        var weightSum = 0.0
        var labelSum = 0.0
        for r in 0..<y.count {
            weightSum += w[r]
            labelSum += w[r] * y[r]
        }
        let mean = labelSum / weightSum
        var numerator = 0.0
        var denominator = 0.0
        for r in 0..<y.count {
            let residual = y[r] - yhat[r]
            let deviation = y[r] - mean
            numerator += w[r] * (residual * residual)
            denominator += w[r] * (deviation * deviation)
        }
        if numerator == 0 { return 1.0 }
        if denominator == 0 { return 0.0 }
        return 1 - numerator / denominator
    }
}
