import Explain
import Testing

/// Parity with the audioLIME goldens (Tests/Fixtures/lime, LIME.md): every case of
/// `manifest["cases"]`, every target, at the reference's tolerances.
@Suite struct LimeParityTests {
    static let valueTolerance = 1e-9
    static let kernelTolerance = 1e-12
    static let tieTolerance = 1e-12

    /// The masks of a case: regenerated for exhaustive cases (and checked against the golden), the golden Z otherwise.
    func masks(for c: LimeGoldens.Case) -> MaskSet {
        let golden = MaskSet(
            componentCount: c.componentCount, rowCount: c.rowCount, bits: c.mask.map { UInt8(truncatingIfNeeded: $0) })
        #expect(c.mask.allSatisfy { $0 == 0 || $0 == 1 }, "\(c.name): mask values outside {0, 1}")
        #expect((0..<c.componentCount).allSatisfy { golden[0, $0] }, "\(c.name): row 0 is not all ones")
        guard c.numSamples == "exhaustive" else { return golden }
        let regenerated = MaskSet.exhaustive(componentCount: c.componentCount)
        #expect(regenerated == golden, "\(c.name): MaskSet.exhaustive differs from the golden Z")
        return regenerated
    }

    func explain(_ c: LimeGoldens.Case) throws -> LimeExplanation {
        try LimeRegression.explain(masks: masks(for: c), labels: c.labels, targetCount: c.targetCount)
    }

    static func isConstant(_ labels: [Float]) -> Bool { labels.allSatisfy { $0 == labels[0] } }

    @Test func manifestListsEveryCaseWithItsTensors() throws {
        let cases = try LimeGoldens.cases()
        #expect(cases.count >= 5)
        for c in cases {
            #expect(c.mask.count == c.rowCount * c.componentCount, "\(c.name) mask")
            #expect(c.labels.count == c.rowCount * c.targetCount, "\(c.name) labels")
            #expect(c.coef.count == c.targetCount * c.componentCount, "\(c.name) coef")
        }
    }

    @Test func distancesAndKernelWeightsMatch() throws {
        for c in try LimeGoldens.cases() {
            let e = try explain(c)
            let distanceError = maxAbsDifference(e.distances, c.distances)
            let weightError = maxAbsDifference(e.kernelWeights, c.kernelWeights)
            #expect(distanceError <= Self.kernelTolerance, "\(c.name): distances off by \(distanceError)")
            #expect(weightError <= Self.kernelTolerance, "\(c.name): kernel weights off by \(weightError)")
            #expect(e.kernelWeights[0] == 1.0, "\(c.name): row 0 weight \(e.kernelWeights[0])")
            print("lime parity \(c.name): distances \(distanceError), kernel weights \(weightError)")
        }
    }

    @Test func fittedModelsMatchForEveryNonConstantTarget() throws {
        var checked = 0
        for c in try LimeGoldens.cases() {
            let e = try explain(c)
            #expect(e.targets.count == c.targetCount)
            var worst: [String: Double] = [:]
            for t in 0..<c.targetCount where !Self.isConstant(c.labels(target: t)) {
                let mine = e.targets[t]
                #expect(!mine.isConstantTarget)
                let errors = [
                    "coef": maxAbsDifference(mine.coefficients, c.coefficients(target: t)),
                    "intercept": abs(mine.intercept - c.intercept[t]),
                    "local_pred": abs(mine.localPrediction - c.localPrediction[t]),
                    "score": abs(mine.score - c.score[t]),
                    "complexity": maxAbsDifference([mine.complexity], [c.complexity[t]]),
                ]
                for (quantity, error) in errors {
                    #expect(error <= Self.valueTolerance, "\(c.name) target \(t): \(quantity) off by \(error)")
                    worst[quantity] = max(worst[quantity] ?? 0, error)
                }
                checked += 1
            }
            let summary = worst.keys.sorted().map { "\($0) \(worst[$0] ?? 0)" }.joined(separator: ", ")
            print("lime parity \(c.name): \(summary)")
        }
        #expect(checked > 0)
    }

    @Test func explanationOrderAndTopComponentMatchUpToTies() throws {
        for c in try LimeGoldens.cases() {
            let e = try explain(c)
            var exactOrders = 0
            for t in 0..<c.targetCount {
                let mine = e.targets[t]
                let golden = c.coefficients(target: t)
                let goldenOrder = c.order(c.localExpOrder, target: t)
                #expect(mine.explanationOrder.sorted() == Array(0..<c.componentCount))
                // Position by position the two orders must name coefficients that agree within the tie tolerance.
                let agree = zip(mine.explanationOrder, goldenOrder).allSatisfy {
                    abs(golden[$0] - golden[$1]) < Self.tieTolerance
                }
                #expect(agree, "\(c.name) target \(t): local_exp order \(mine.explanationOrder) vs \(goldenOrder)")
                if mine.explanationOrder == goldenOrder { exactOrders += 1 }

                let goldenTop = Int(c.topPositive[t])
                let top = mine.topPositiveComponent
                let topAgrees: Bool
                switch (top, goldenTop) {
                case _ where top == goldenTop: topAgrees = true
                case (-1, _): topAgrees = golden[goldenTop] < Self.tieTolerance
                case (_, -1): topAgrees = golden[top] < Self.tieTolerance
                default: topAgrees = abs(golden[top] - golden[goldenTop]) < Self.tieTolerance
                }
                #expect(topAgrees, "\(c.name) target \(t): top positive component \(top) vs \(goldenTop)")
                #expect(top == (mine.explainingComponents.first ?? -1))
            }
            print("lime parity \(c.name): local_exp order identical for \(exactOrders)/\(c.targetCount) targets")
        }
    }

    /// Informational in the reference (it only permutes the final fit's columns), but on
    /// well-conditioned designs the alpha = 0 pre-fit is well defined and the order must agree;
    /// in the collinear case (scipy warned) it is numerically arbitrary and only checked to be a permutation.
    @Test func featureSelectionOrderMatchesOnWellConditionedDesigns() throws {
        for c in try LimeGoldens.cases() {
            let e = try explain(c)
            for t in 0..<c.targetCount {
                let mine = e.targets[t].featureSelectionOrder
                #expect(mine.sorted() == Array(0..<c.componentCount))
                guard c.warnings.isEmpty, !Self.isConstant(c.labels(target: t)) else { continue }
                let golden = c.order(c.featureSelectionOrder, target: t)
                #expect(mine == golden, "\(c.name) target \(t): feature selection \(mine) vs \(golden)")
            }
        }
    }
}
