/// audioLIME's regression step (docs/EXPLAIN.md, which follows audioLIME: steps 3–6), as `LimeAudioExplainer.explain_instance`
/// with `num_reg_targets`, `num_features=100000`, `feature_selection='auto'`,
/// `absolute_feature_sort=False` and the default Ridge runs it once the labels are known:
///
/// 1. cosine distances of the mask rows to row 0 and kernel weights sqrt(exp(−d²/0.25²)), unnormalised;
/// 2. per target, 'highest_weights' selection ('auto' with more than 6 features): a weighted
///    `Ridge(alpha=0)` on all columns, columns ordered by |β_i · Z[0, i]| descending (stable);
/// 3. the final weighted `Ridge(alpha=1)` on the columns in that order, its weighted R² score and
///    its prediction for row 0; `local_exp` sorted by signed β descending (stable).
///
/// Labels are float32 model outputs, upcast to float64 before any arithmetic.
///
/// Constant targets: when every label of a target is the same value c, the explanation is set to
/// β = 0, intercept = local prediction = c, score 1.0, complexity NaN, no positive component, and
/// both orders the identity. For a dyadic c (such as 0.25) this is exactly what the reference
/// computes. For other constants the reference's weighted mean can miss c by an ulp, leaving
/// β ≈ 1e−32, a score of 0.0 or 1.0 and a meaningless finite complexity depending on last-bit
/// summation order (docs/EXPLAIN.md); stemtrace reports the exact answer instead.
public enum LimeRegression {
    /// audioLIME's ridge regularisation of the final fit.
    public static let alpha = 1.0
    /// The 'highest_weights' pre-fit is unregularised.
    public static let selectionAlpha = 0.0

    /// Explains every target. `labels` is the row-major `masks.rowCount × targetCount` matrix of
    /// model outputs, one row per mask row.
    public static func explain(masks: MaskSet, labels: [Float], targetCount: Int) throws(ExplainError) -> LimeExplanation {
        let rows = masks.rowCount
        let d = masks.componentCount
        guard targetCount >= 1 else {
            throw .shapeMismatch(what: "LIME targets (at least one)", expected: 1, actual: targetCount)
        }
        guard labels.count == rows * targetCount else {
            throw .shapeMismatch(
                what: "LIME labels (\(rows) rows × \(targetCount) targets)", expected: rows * targetCount,
                actual: labels.count)
        }
        let distances = LimeKernel.cosineDistances(masks)
        let weights = LimeKernel.weights(distances: distances)
        let ridge = try WeightedRidge(
            design: masks.bits.map { Double($0) }, rowCount: rows, featureCount: d, labels: labels.map { Double($0) },
            targetCount: targetCount, weights: weights)

        let selection = try ridge.fit(alpha: selectionAlpha)
        let rowZero = (0..<d).map { Double(masks.bits[$0]) }
        var targets: [LimeTargetExplanation] = []
        targets.reserveCapacity(targetCount)
        for t in 0..<targetCount {
            let first = ridge.labels[t]
            if (0..<rows).allSatisfy({ ridge.labels[$0 * targetCount + t] == first }) {
                targets.append(
                    LimeTargetExplanation(
                        coefficients: [Double](repeating: 0, count: d), intercept: first, score: 1.0, localPrediction: first,
                        featureSelectionOrder: Array(0..<d), isConstantTarget: true))
                continue
            }
            let preFit = selection[t].coefficients
            let order = StableOrder.descending(Array(0..<d)) { abs(preFit[$0] * rowZero[$0]) }
            let fit = try ridge.fit(alpha: alpha, target: t, columnOrder: order)
            var local = 0.0
            for column in order { local += rowZero[column] * fit.coefficients[column] }
            targets.append(
                LimeTargetExplanation(
                    coefficients: fit.coefficients, intercept: fit.intercept, score: ridge.score(of: fit, target: t),
                    localPrediction: local + fit.intercept, featureSelectionOrder: order))
        }
        return LimeExplanation(componentCount: d, distances: distances, kernelWeights: weights, targets: targets)
    }
}
