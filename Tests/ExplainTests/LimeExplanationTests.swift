import Explain
import Foundation
import Testing

/// The explanation-level readings the paper makes (LIME.md, steps 5e and 5f).
@Suite struct LimeExplanationTests {
    @Test func explanationOrderIsSignedDescendingWithTiesInSelectionOrder() {
        let e = LimeTargetExplanation(
            coefficients: [0.2, -0.1, 0.5, 0.2, 0], intercept: 0, score: 1, localPrediction: 0.8,
            featureSelectionOrder: [3, 0, 2, 1, 4])
        #expect(e.explanationOrder == [2, 3, 0, 4, 1])
        #expect(e.explainingComponents == [2, 3, 0])
        #expect(e.explainingWeights.map(\.weight) == [0.5, 0.2, 0.2])
        #expect(e.topPositiveComponent == 2)
        let swapped = LimeTargetExplanation(
            coefficients: e.coefficients, intercept: 0, score: 1, localPrediction: 0.8, featureSelectionOrder: [0, 1, 2, 3, 4])
        #expect(swapped.explanationOrder == [2, 0, 3, 4, 1])
    }

    @Test func noPositiveCoefficientMeansNoTopComponent() {
        let e = LimeTargetExplanation(
            coefficients: [-0.2, 0, -0.5], intercept: 1, score: 0.5, localPrediction: 0.3, featureSelectionOrder: [2, 0, 1])
        #expect(e.topPositiveComponent == -1)
        #expect(e.explainingComponents.isEmpty)
        #expect(e.explanationOrder == [1, 0, 2])
    }

    @Test func regressionRejectsMisshapenOrNonFiniteLabels() {
        let masks = MaskSet.exhaustive(componentCount: 2)
        #expect(throws: ExplainError.shapeMismatch(what: "LIME labels (4 rows × 2 targets)", expected: 8, actual: 7)) {
            try LimeRegression.explain(masks: masks, labels: [Float](repeating: 0.5, count: 7), targetCount: 2)
        }
        var labels = [Float](repeating: 0.5, count: 8)
        labels[7] = .nan
        do {
            _ = try LimeRegression.explain(masks: masks, labels: labels, targetCount: 2)
            Issue.record("a NaN label was accepted")
        } catch {
            guard case .nonFiniteLabel(row: 3, target: 1, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
    }

    @Test func theSourceThatDrivesTheModelExplainsIt() throws {
        let masks = MaskSet.exhaustive(componentCount: 5)
        // A model driven by component 3, pulled down by component 1, and blind to the rest.
        let labels: [Float] = (0..<masks.rowCount).map { r in
            Float(0.1 + 0.6 * (masks[r, 3] ? 1 : 0) - 0.2 * (masks[r, 1] ? 1 : 0))
        }
        let e = try LimeRegression.explain(masks: masks, labels: labels, targetCount: 1).targets[0]
        #expect(e.topPositiveComponent == 3)
        #expect(e.explainingComponents.first == 3)
        #expect(e.explanationOrder.last == 1)
        #expect(e.score > 0.9 && e.score <= 1)
        #expect(e.complexity > 0 && e.complexity < log(5.0))
    }
}
