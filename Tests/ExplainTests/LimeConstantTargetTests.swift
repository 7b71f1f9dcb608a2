import Explain
import Testing

/// Constant targets (LIME.md, "Degenerate cases"; manifest case_d): stemtrace reports the exact
/// answer (β = 0, intercept = local prediction = the constant, score 1.0, complexity NaN, no
/// positive component). That is bit for bit the reference's result for a power-of-two constant;
/// for other constants the reference lands within the documented bands.
@Suite struct LimeConstantTargetTests {
    struct ConstantTarget {
        let golden: LimeGoldens.Case
        let target: Int
        let value: Float
        /// Multiplying by a power of two (or zero) is exact, so the reference's weighted mean is exact.
        var isPowerOfTwo: Bool { value == 0 || value.significand == 1 }
    }

    static func constantTargets() throws -> [ConstantTarget] {
        try LimeGoldens.cases().flatMap { c in
            (0..<c.targetCount).compactMap { t -> ConstantTarget? in
                let y = c.labels(target: t)
                return y.allSatisfy({ $0 == y[0] }) ? ConstantTarget(golden: c, target: t, value: y[0]) : nil
            }
        }
    }

    func masks(_ c: LimeGoldens.Case) -> MaskSet {
        MaskSet(componentCount: c.componentCount, rowCount: c.rowCount, bits: c.mask.map { UInt8(truncatingIfNeeded: $0) })
    }

    @Test func goldensHoldBothKindsOfConstant() throws {
        let constants = try Self.constantTargets()
        #expect(constants.contains { $0.isPowerOfTwo })
        #expect(constants.contains { !$0.isPowerOfTwo })
    }

    @Test func constantTargetsGetTheExactExplanation() throws {
        for k in try Self.constantTargets() {
            let c = k.golden
            let e = try LimeRegression.explain(masks: masks(c), labels: c.labels, targetCount: c.targetCount).targets[k.target]
            let value = Double(k.value)
            let label = "\(c.name) target \(k.target) (constant \(value))"
            #expect(e.isConstantTarget, "\(label)")
            #expect(e.coefficients == [Double](repeating: 0, count: c.componentCount), "\(label)")
            #expect(e.intercept == value && e.localPrediction == value, "\(label)")
            #expect(e.score == 1.0, "\(label)")
            #expect(e.complexity.isNaN, "\(label)")
            #expect(e.topPositiveComponent == -1 && e.explainingComponents.isEmpty, "\(label)")
            #expect(e.explanationOrder == Array(0..<c.componentCount) && e.featureSelectionOrder == e.explanationOrder)

            // The reference's own values, within LIME.md's bands for constant targets.
            let golden = c.coefficients(target: k.target)
            #expect(golden.allSatisfy { abs($0) < 1e-12 }, "\(label): golden coef \(golden)")
            #expect(abs(c.intercept[k.target] - value) <= 1e-12 && abs(c.localPrediction[k.target] - value) <= 1e-12)
            #expect(c.score[k.target] == 0.0 || c.score[k.target] == 1.0, "\(label): golden score \(c.score[k.target])")
            if k.isPowerOfTwo {
                // Exactly the reference, field by field.
                #expect(golden == e.coefficients && c.intercept[k.target] == e.intercept && c.score[k.target] == e.score)
                #expect(c.localPrediction[k.target] == e.localPrediction && c.complexity[k.target].isNaN)
                #expect(Int(c.topPositive[k.target]) == e.topPositiveComponent)
                #expect(c.order(c.localExpOrder, target: k.target) == e.explanationOrder)
                #expect(c.order(c.featureSelectionOrder, target: k.target) == e.featureSelectionOrder)
            }
        }
    }

    /// The general ridge path, without the special case, reproduces the reference's behaviour:
    /// exact for a power-of-two constant, within the bands otherwise.
    @Test func ridgeWithoutTheSpecialCaseBehavesLikeTheReference() throws {
        for k in try Self.constantTargets() {
            let c = k.golden
            let m = masks(c)
            let weights = LimeKernel.weights(distances: LimeKernel.cosineDistances(m))
            let ridge = try WeightedRidge(
                design: m.bits.map { Double($0) }, rowCount: c.rowCount, featureCount: c.componentCount,
                labels: c.labels(target: k.target).map { Double($0) }, targetCount: 1, weights: weights)
            let value = Double(k.value)
            let label = "\(c.name) target \(k.target) (constant \(value))"
            for alpha in [0.0, 1.0] {
                let fit = try ridge.fit(alpha: alpha, target: 0, columnOrder: Array(0..<c.componentCount))
                let score = ridge.score(of: fit, target: 0)
                if k.isPowerOfTwo {
                    #expect(ridge.labelMeans[0] == value, "\(label)")
                    #expect(
                        fit.coefficients.allSatisfy { $0 == 0 } && fit.intercept == value && score == 1.0, "\(label) α=\(alpha)")
                    #expect(ExplanationComplexity.entropy(of: fit.coefficients).isNaN)
                } else {
                    #expect(fit.coefficients.allSatisfy { abs($0) < 1e-12 }, "\(label) α=\(alpha): \(fit.coefficients)")
                    #expect(abs(fit.intercept - value) <= 1e-12, "\(label) α=\(alpha)")
                    #expect(score == 0.0 || score == 1.0, "\(label) α=\(alpha): score \(score)")
                }
            }
        }
    }
}
