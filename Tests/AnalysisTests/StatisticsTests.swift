import Analysis
import Foundation
import Testing

/// Interval and test code against values computed independently: fixed resample indices, exact
/// enumeration by hand, closed forms, and the degenerate cases (issue 16).
@Suite struct StatisticsTests {
    @Test func quantilesInterpolateLinearlyAsNumpyDoes() {
        // np.quantile([1, 2, 3, 4], 0.25) = 1.75; np.quantile(range(10), 0.975) = 8.775.
        #expect(Bootstrap.quantile([1, 2, 3, 4], 0.25) == 1.75)
        #expect(abs(Bootstrap.quantile((0..<10).map(Double.init), 0.975) - 8.775) < 1e-12)
        #expect(Bootstrap.quantile([7], 0.3) == 7)
    }

    @Test func intervalFromFixedResamplesIsThePercentilesOfTheirMeans() throws {
        // Means of the four draws: 1, 7/3, 10/3, 2 → sorted 1, 2, 7/3, 10/3; 50 % interval =
        // quantiles 0.25 and 0.75: h = 0.75 → 1.75; h = 2.25 → 7/3 + 0.25·(10/3 − 7/3).
        let interval = try #require(
            Bootstrap.meanInterval([1, 2, 4], indices: [[0, 0, 0], [0, 1, 2], [2, 2, 1], [1, 1, 1]], level: 0.5))
        #expect(abs(interval.low - 1.75) < 1e-12)
        #expect(abs(interval.high - (7.0 / 3 + 0.25)) < 1e-12)
    }

    @Test func degenerateSamplesGiveDegenerateIntervals() throws {
        #expect(Bootstrap.meanInterval([], resamples: 100, level: 0.95, seed: 1, stream: "x") == nil)
        let one = try #require(Bootstrap.meanInterval([5], resamples: 100, level: 0.95, seed: 1, stream: "x"))
        #expect(one.low == 5 && one.high == 5)
        let equal = try #require(Bootstrap.meanInterval([3, 3, 3], resamples: 100, level: 0.95, seed: 1, stream: "x"))
        #expect(equal.low == 3 && equal.high == 3)
        #expect(Bootstrap.meanInterval([1, 2], resamples: 0, level: 0.95, seed: 1, stream: "x") == nil)
    }

    /// The bootstrap distribution of a mean has the sample mean as its centre and σ/√n as its
    /// spread (σ the population standard deviation of the sample): with many resamples the 95 %
    /// interval is close to mean ± 1.96·σ/√n.
    @Test func manyResamplesApproachTheNormalClosedForm() throws {
        let values = (0..<200).map { Double(($0 * 37) % 101) / 10 }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let sigma = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
        let interval = try #require(Bootstrap.meanInterval(values, resamples: 20_000, level: 0.95, seed: 3, stream: "c"))
        let half = 1.959964 * sigma / n.squareRoot()
        #expect(abs((interval.low + interval.high) / 2 - mean) < 0.05 * half)
        #expect(abs((interval.high - interval.low) / 2 - half) < 0.05 * half)
    }

    @Test func intervalsAreReproducibleAndRowsDrawIndependently() throws {
        let values = [0.1, 0.5, 0.2, 0.9, 0.4, 0.3]
        let a = try #require(Bootstrap.meanInterval(values, resamples: 500, level: 0.9, seed: 7, stream: "drums"))
        let b = try #require(Bootstrap.meanInterval(values, resamples: 500, level: 0.9, seed: 7, stream: "drums"))
        let c = try #require(Bootstrap.meanInterval(values, resamples: 500, level: 0.9, seed: 7, stream: "bass"))
        #expect(a.low == b.low && a.high == b.high)
        #expect(a.low != c.low || a.high != c.high)
    }

    @Test func exactPermutationTestsEnumerateEverySplit() throws {
        // {1,2} vs {3,4}: the six splits' |differences| are 2, 1, 0, 0, 1, 2 → 2 of 6 reach 2.
        #expect(try #require(PermutationTest.pValue([1, 2], [3, 4], permutations: 2000, seed: 0, stream: "")) == 1.0 / 3)
        // {1} vs {2,3,4}: one element against the others' mean: 2, 2/3, 2/3, 2 → 2 of 4.
        #expect(try #require(PermutationTest.pValue([1], [2, 3, 4], permutations: 2000, seed: 0, stream: "")) == 0.5)
        // All values equal: every split differs by 0, as observed.
        #expect(try #require(PermutationTest.pValue([2, 2], [2, 2, 2], permutations: 2000, seed: 0, stream: "")) == 1)
        // A genre holding every track has no rest to differ from.
        #expect(PermutationTest.pValue([1, 2], [], permutations: 2000, seed: 0, stream: "") == nil)
    }

    @Test func randomPermutationsNeverGiveZeroAndSeeTheDifference() throws {
        let low = (0..<30).map { Double($0) / 30 }
        let high = low.map { $0 + 2 }
        let separated = try #require(PermutationTest.pValue(low, high, permutations: 999, seed: 1, stream: "x"))
        #expect(separated == 1.0 / 1000, "no random split reaches a complete separation: (1 + 0)/(1 + 999)")
        // Interleaved halves of the same ramp: means differ by one step; no evidence of a difference.
        let evens = low.enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element)
        let odds = low.enumerated().filter { !$0.offset.isMultiple(of: 2) }.map(\.element)
        let same = try #require(PermutationTest.pValue(evens, odds, permutations: 999, seed: 1, stream: "x"))
        #expect(same > 0.5)
    }

    @Test func benjaminiHochbergMatchesTheStepUpRule() throws {
        // Sorted 0.01, 0.03, 0.04, 0.2 (m = 4): m/j·p = 0.04, 0.06, 0.0533, 0.2 → running minimum
        // from the top: 0.04, 0.0533, 0.0533, 0.2 (scipy.stats.false_discovery_control).
        let q = BenjaminiHochberg.qValues([0.01, 0.04, 0.03, 0.2, nil])
        #expect(abs(try #require(q[0]) - 0.04) < 1e-12)
        #expect(abs(try #require(q[1]) - 0.04 * 4 / 3) < 1e-12)
        #expect(abs(try #require(q[2]) - 0.04 * 4 / 3) < 1e-12)
        #expect(abs(try #require(q[3]) - 0.2) < 1e-12)
        #expect(q[4] == nil)
        #expect(BenjaminiHochberg.qValues([0.9, 0.95]).allSatisfy { ($0 ?? 0) <= 1 })
    }
}

/// `stemtrace evaluate`'s metrics on constructed data, where they have closed forms.
@Suite struct ModelEvaluationTests {
    @Test func metricsHaveTheirClosedFormsOnConstructedData() throws {
        let labels = [-0.5, 0.0, 0.25, 0.75]
        let perfect = ModelEvaluation.metrics(labels, labels)
        #expect(perfect.rmse == 0 && perfect.r2 == 1 && abs((perfect.pearson ?? 0) - 1) < 1e-12)
        // A constant offset c: RMSE = |c|, r = 1, R² = 1 − c²/var(labels) (population variance).
        let c = 0.2
        let shifted = ModelEvaluation.metrics(labels.map { $0 + c }, labels)
        let mean = labels.reduce(0, +) / 4
        let variance = labels.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
        #expect(abs((shifted.rmse ?? 0) - c) < 1e-12)
        #expect(abs((shifted.r2 ?? 0) - (1 - c * c / variance)) < 1e-12)
        #expect(abs((shifted.pearson ?? 0) - 1) < 1e-12)
        // Predicting the labels' mean: R² = 0 and r undefined (constant predictions).
        let flat = ModelEvaluation.metrics([Double](repeating: mean, count: 4), labels)
        #expect(abs(flat.r2 ?? 1) < 1e-12 && flat.pearson == nil)
        // Every label equal: R² undefined; one track: RMSE only.
        #expect(ModelEvaluation.metrics([0.1, 0.2], [0.3, 0.3]).r2 == nil)
        let one = ModelEvaluation.metrics([0.4], [0.1])
        #expect(abs((one.rmse ?? 0) - 0.3) < 1e-12 && one.r2 == nil && one.pearson == nil)
    }

    @Test func pairedIntervalsFromFixedDrawsAndDegenerateDraws() throws {
        // Every draw of identical pairs has RMSE 0: the interval is [0, 0].
        let zero = try #require(
            Bootstrap.interval(count: 3, resamples: 200, level: 0.95, seed: 1, stream: "s") { draw in
                ModelEvaluation.metrics(draw.map { [0.1, 0.2, 0.3][$0] }, draw.map { [0.1, 0.2, 0.3][$0] }).rmse
            })
        #expect(zero.low == 0 && zero.high == 0)
        // A statistic undefined on most draws gives no interval.
        #expect(Bootstrap.interval(count: 3, resamples: 200, level: 0.95, seed: 1, stream: "s") { _ in nil } == nil)
    }
}
