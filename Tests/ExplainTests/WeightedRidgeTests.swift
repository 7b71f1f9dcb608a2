import Explain
import Foundation
import Testing

/// The weighted ridge regression behind lime (LIME.md, step 5b) and its score (step 5c).
@Suite struct WeightedRidgeTests {
    /// With one feature the normal equation is scalar: β = Σ w x̃ ỹ / (Σ w x̃² + α).
    @Test func oneFeatureMatchesTheClosedForm() throws {
        let x: [Double] = [1, 0, 1, 1, 0, 0]
        let y: [Double] = [2.0, 0.5, 1.5, 2.5, 1.0, 0.0]
        let w: [Double] = [1, 0.5, 0.25, 2, 1, 0.75]
        let ridge = try WeightedRidge(design: x, rowCount: 6, featureCount: 1, labels: y, targetCount: 1, weights: w)
        let sw = w.reduce(0, +)
        let xbar = zip(w, x).map(*).reduce(0, +) / sw
        let ybar = zip(w, y).map(*).reduce(0, +) / sw
        var sxy = 0.0
        var sxx = 0.0
        for r in 0..<6 {
            sxy += w[r] * (x[r] - xbar) * (y[r] - ybar)
            sxx += w[r] * (x[r] - xbar) * (x[r] - xbar)
        }
        for alpha in [0.0, 1.0, 3.5] {
            let fit = try ridge.fit(alpha: alpha, target: 0, columnOrder: [0])
            let beta = sxy / (sxx + alpha)
            #expect(fit.method == .cholesky)
            #expect(abs(fit.coefficients[0] - beta) < 1e-14, "α=\(alpha)")
            #expect(abs(fit.intercept - (ybar - xbar * beta)) < 1e-14, "α=\(alpha)")
        }
    }

    /// A column that never changes centres to exactly zero, so the α = 0 Gram matrix is singular:
    /// Cholesky fails and the SVD fallback gives that column a zero coefficient and the others
    /// the same fit as without it.
    @Test func singularSystemFallsBackToLeastSquares() throws {
        let full = MaskSet.exhaustive(componentCount: 3)
        var bits: [UInt8] = []
        for r in 0..<full.rowCount { bits += [1] + (0..<3).map { full[r, $0] ? 1 : 0 } }
        let y: [Double] = (0..<full.rowCount).map { r in
            0.3 + 0.7 * (full[r, 0] ? 1 : 0) - 0.4 * (full[r, 2] ? 1 : 0) + 0.05 * sin(Double(r))
        }
        let w = LimeKernel.weights(distances: LimeKernel.cosineDistances(full))
        let withConstant = try WeightedRidge(
            design: bits.map { Double($0) }, rowCount: full.rowCount, featureCount: 4, labels: y, targetCount: 1, weights: w)
        let without = try WeightedRidge(
            design: full.bits.map { Double($0) }, rowCount: full.rowCount, featureCount: 3, labels: y, targetCount: 1, weights: w)
        for alpha in [0.0, 1.0] {
            let a = try withConstant.fit(alpha: alpha, target: 0, columnOrder: [0, 1, 2, 3])
            let b = try without.fit(alpha: alpha, target: 0, columnOrder: [0, 1, 2])
            #expect(a.method == (alpha == 0 ? .leastSquaresFallback : .cholesky), "α=\(alpha)")
            #expect(abs(a.coefficients[0]) < 1e-12, "α=\(alpha): constant column got \(a.coefficients[0])")
            #expect(maxAbsDifference(Array(a.coefficients.dropFirst()), b.coefficients) < 1e-12, "α=\(alpha)")
            #expect(abs(a.intercept - b.intercept) < 1e-12, "α=\(alpha)")
        }
        #expect(try withConstant.fit(alpha: 0).allSatisfy { $0.method == .leastSquaresFallback })
    }

    @Test func columnOrderOnlyPermutesTheSolution() throws {
        let masks = MaskSet.exhaustive(componentCount: 4)
        let y: [Double] = (0..<16).flatMap { r in [Double(r % 5) * 0.1, cos(Double(r))] }
        let w = LimeKernel.weights(distances: LimeKernel.cosineDistances(masks))
        let ridge = try WeightedRidge(
            design: masks.bits.map { Double($0) }, rowCount: 16, featureCount: 4, labels: y, targetCount: 2, weights: w)
        let all = try ridge.fit(alpha: 1)
        for t in 0..<2 {
            let permuted = try ridge.fit(alpha: 1, target: t, columnOrder: [2, 0, 3, 1])
            #expect(maxAbsDifference(permuted.coefficients, all[t].coefficients) < 1e-13, "target \(t)")
            #expect(abs(permuted.intercept - all[t].intercept) < 1e-13, "target \(t)")
        }
        #expect(all[0].coefficients != all[1].coefficients)
    }

    @Test func scoreFollowsForceFinite() {
        let w: [Double] = [1, 2, 1]
        #expect(WeightedR2.score(labels: [1, 1, 1], predictions: [1, 1, 1], weights: w) == 1.0)
        #expect(WeightedR2.score(labels: [1, 1, 1], predictions: [1, 2, 1], weights: w) == 0.0)
        #expect(WeightedR2.score(labels: [0, 1, 2], predictions: [0, 1, 2], weights: w) == 1.0)
        // ȳ = 1; num = 1·0.25 + 2·0 + 1·0.25 = 0.5, den = 1 + 0 + 1 = 2.
        #expect(abs(WeightedR2.score(labels: [0, 1, 2], predictions: [0.5, 1, 1.5], weights: w) - 0.75) < 1e-15)
    }

    @Test func invalidInputsAreNamed() throws {
        #expect(throws: ExplainError.shapeMismatch(what: "ridge sample weights", expected: 2, actual: 1)) {
            try WeightedRidge(design: [1, 0], rowCount: 2, featureCount: 1, labels: [1, 2], targetCount: 1, weights: [1])
        }
        do {
            _ = try WeightedRidge(
                design: [1, 0], rowCount: 2, featureCount: 1, labels: [1, .nan], targetCount: 1, weights: [1, 1])
            Issue.record("a NaN label was accepted")
        } catch {
            guard case .nonFiniteLabel(row: 1, target: 0, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
        #expect(throws: ExplainError.self) {
            try WeightedRidge(design: [1, 0], rowCount: 2, featureCount: 1, labels: [1, 2], targetCount: 1, weights: [0, 0])
        }
    }
}
