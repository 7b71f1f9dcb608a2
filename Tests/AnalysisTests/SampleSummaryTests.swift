import Core
import Testing

@testable import Analysis

@Suite struct SampleSummaryTests {
    @Test func quartilesInterpolateLikeNumpy() throws {
        // numpy.quantile([1, 2, 3, 4, 10], [0.25, 0.5, 0.75]) = [2, 3, 4]; of [1, 2, 3, 4]: [1.75, 2.5, 3.25].
        let a = try #require(SampleSummary([10, 1, 3, 2, 4]))
        #expect(a.lowerQuartile == 2 && a.median == 3 && a.upperQuartile == 4 && a.mean == 4 && a.maximum == 10)
        let b = try #require(SampleSummary([4, 3, 2, 1]))
        #expect(b.lowerQuartile == 1.75 && b.median == 2.5 && b.upperQuartile == 3.25)
        #expect(abs(b.standardDeviation - 1.118033988749895) < 1e-15)
        #expect(SampleSummary([]) == nil)
    }

    @Test func correlationIsPearsons() {
        #expect(SampleSummary.correlation([1, 2, 3], [2, 4, 6]) == 1)
        #expect(SampleSummary.correlation([1, 2, 3], [3, 2, 1]) == -1)
        #expect(SampleSummary.correlation([1, 2, 3], [1, 1, 1]) == nil)
        let r = SampleSummary.correlation([1, 2, 3, 4], [1, 3, 2, 4]) ?? 0
        #expect(abs(r - 0.8) < 1e-12)
    }
}
