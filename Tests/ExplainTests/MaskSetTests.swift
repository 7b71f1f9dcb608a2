import Testing

@testable import Explain

@Suite struct MaskSetTests {
    @Test func exhaustiveOrderIsItertoolsProductOfOneZero() {
        let masks = MaskSet.exhaustive(componentCount: 3)
        #expect(masks.rowCount == 8)
        let rows = (0..<8).map { r in (0..<3).map { masks[r, $0] ? 1 : 0 } }
        #expect(rows == [[1, 1, 1], [1, 1, 0], [1, 0, 1], [1, 0, 0], [0, 1, 1], [0, 1, 0], [0, 0, 1], [0, 0, 0]])
        #expect(masks.bitPattern(ofRow: 1) == 0b011)
    }

    @Test func sampledMasksAreSeededWithRowZeroAllOnes() {
        let a = MaskSet.sampled(componentCount: 20, rowCount: 200, seed: 7)
        let b = MaskSet.sampled(componentCount: 20, rowCount: 200, seed: 7)
        let c = MaskSet.sampled(componentCount: 20, rowCount: 200, seed: 8)
        #expect(a == b)
        #expect(a != c)
        #expect((0..<20).allSatisfy { a[0, $0] })
        let ones = a.bits.dropFirst(20).reduce(0) { $0 + Int($1) }
        #expect(abs(Double(ones) / Double(199 * 20) - 0.5) < 0.05)
    }

    @Test func explanationChoosesExhaustiveUpToTheLimit() {
        #expect(MaskSet.forExplanation(componentCount: 10, samples: 50, seed: 1).rowCount == 1024)
        #expect(MaskSet.forExplanation(componentCount: 11, samples: 50, seed: 1).rowCount == 50)
        #expect(MaskSet.forExplanation(componentCount: 5, exhaustiveLimit: 16, samples: 40, seed: 1).rowCount == 40)
    }
}
