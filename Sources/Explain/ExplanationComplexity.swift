import Foundation

/// The paper's complexity of an explanation (docs/EXPLAIN.md, which follows audioLIME: step 6): the Shannon entropy
/// H = −Σ P_i ln P_i of P_i = |w_i| / Σ|w_j|, natural log, 0 ln 0 = 0 (`scipy.stats.entropy(|w|)`).
/// H lies in [0, ln d]; it is NaN when every weight is exactly 0, as in the reference.
public enum ExplanationComplexity {
    public static func entropy(of weights: [Double]) -> Double {
        var total = 0.0
        for w in weights { total += abs(w) }
        if total == 0 { return .nan }
        var h = 0.0
        for w in weights {
            let p = abs(w) / total
            if p > 0 { h -= p * log(p) } else if p.isNaN { return .nan }
        }
        return h
    }
}
