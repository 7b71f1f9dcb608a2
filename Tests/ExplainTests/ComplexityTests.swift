import Explain
import Foundation
import Testing

/// The paper's complexity metric and its random baseline (LIME.md, steps 6 and 7).
@Suite struct ComplexityTests {
    @Test func entropyOfSimpleWeightVectors() {
        #expect(abs(ExplanationComplexity.entropy(of: [0.3, 0.3, 0.3, 0.3]) - log(4.0)) < 1e-15)
        #expect(ExplanationComplexity.entropy(of: [0, -2.5, 0]) == 0)
        #expect(ExplanationComplexity.entropy(of: [0, 0, 0]).isNaN)
        #expect(ExplanationComplexity.entropy(of: [1, -3]) == ExplanationComplexity.entropy(of: [-1, 3]))
        let p = [0.25, 0.75]
        #expect(abs(ExplanationComplexity.entropy(of: [1, 3]) - -(p[0] * log(p[0]) + p[1] * log(p[1]))) < 1e-15)
    }

    /// The stored entropies come from numpy `RandomState(seed).rand(1000, d)`; regenerating those
    /// weights checks the entropy formula value by value, and the manifest's statistics check the summary.
    @Test func entropyFormulaReproducesTheStoredBaselineEntropies() throws {
        let entries = try LimeGoldens.baselineEntries()
        #expect(entries.count >= 3)
        for entry in entries {
            let golden = try LimeGoldens.tensor("baseline.\(entry.key).entropies_1000").doubles()
            var generator = MersenneTwister(seed: entry.seed)
            let mine = (0..<golden.count).map { _ in
                ExplanationComplexity.entropy(of: (0..<entry.componentCount).map { _ in generator.nextDouble() })
            }
            let error = maxAbsDifference(mine, golden)
            #expect(error <= 1e-12, "\(entry.key): entropies off by \(error)")
            #expect(golden.allSatisfy { $0 >= 0 && $0 <= entry.maxEntropy }, "\(entry.key): entropy outside [0, ln d]")
            #expect(abs(entry.maxEntropy - log(Double(entry.componentCount))) < 1e-15)

            let summary = ComplexityBaseline(componentCount: entry.componentCount, seed: nil, entropies: golden)
            #expect(abs(summary.mean - entry.mean1000) <= 1e-12, "\(entry.key): mean \(summary.mean) vs \(entry.mean1000)")
            #expect(abs(summary.standardDeviation - entry.std1000) <= 1e-12, "\(entry.key): std \(summary.standardDeviation)")
            print(
                "lime baseline \(entry.key): entropies \(error), mean \(abs(summary.mean - entry.mean1000)), std \(abs(summary.standardDeviation - entry.std1000))"
            )
        }
    }

    /// stemtrace's own seeded 1000 draws against the reference's 10⁷-draw statistics, within five
    /// standard errors (5σ/√1000 for the mean, 5σ/√(2·999) for σ).
    @Test func ownBaselineAgreesWithHighSampleStatistics() throws {
        for entry in try LimeGoldens.baselineEntries() {
            let baseline = ComplexityBaseline.compute(componentCount: entry.componentCount, draws: 1000, seed: 20_210_701)
            #expect(baseline.draws == 1000 && baseline.componentCount == entry.componentCount && baseline.seed == 20_210_701)
            let meanTolerance = 5 * entry.stdHighSample / sqrt(1000)
            let stdTolerance = 5 * entry.stdHighSample / sqrt(2 * 999)
            #expect(abs(meanTolerance - entry.suggestedMeanTolerance) < 1e-12)
            #expect(abs(stdTolerance - entry.suggestedStdTolerance) < 1e-12)
            let meanError = abs(baseline.mean - entry.meanHighSample)
            let stdError = abs(baseline.standardDeviation - entry.stdHighSample)
            #expect(meanError <= meanTolerance, "\(entry.key): mean \(baseline.mean) vs \(entry.meanHighSample)")
            #expect(stdError <= stdTolerance, "\(entry.key): std \(baseline.standardDeviation) vs \(entry.stdHighSample)")
            print(
                "lime baseline \(entry.key): own mean off by \(meanError) (tol \(meanTolerance)), std by \(stdError) (tol \(stdTolerance))"
            )
        }
    }

    @Test func baselineIsSeededAndBounded() {
        let a = ComplexityBaseline.entropies(componentCount: 5, draws: 200, seed: 3)
        #expect(a == ComplexityBaseline.entropies(componentCount: 5, draws: 200, seed: 3))
        #expect(a != ComplexityBaseline.entropies(componentCount: 5, draws: 200, seed: 4))
        #expect(a.allSatisfy { $0 > 0 && $0 <= log(5.0) })
        let summary = ComplexityBaseline(componentCount: 2, seed: nil, entropies: [1, 3])
        #expect(summary.mean == 2 && summary.standardDeviation == 1)
    }
}
