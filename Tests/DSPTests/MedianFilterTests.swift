import Testing

@testable import DSP

/// Running medians against a sort-based reference with scipy's 'reflect' boundary.
@Suite struct MedianFilterTests {
    /// Straightforward median of a strided sequence, reflecting at both ends (… b a | a b …).
    static func reference(_ x: [Float], kernel: Int) -> [Float] {
        let n = x.count
        let half = kernel / 2
        return (0..<n).map { i in
            let window = (-half...half).map { x[MedianFilter.reflect(i + $0, n)] }.sorted()
            return window[half]
        }
    }

    @Test func reflectRepeatsTheEdgeSample() {
        #expect((-3..<8).map { MedianFilter.reflect($0, 5) } == [2, 1, 0, 0, 1, 2, 3, 4, 4, 3, 2])
        #expect(MedianFilter.reflect(-4, 2) == 0)
    }

    @Test(arguments: [1, 5, 9, 15, 63])
    func alongTimeMatchesASortBasedReference(kernel: Int) {
        let frames = 70
        let bins = 6
        var state: UInt32 = 12345
        let m: [Float] = (0..<(frames * bins)).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state % 50)  // many ties, to exercise removal of repeated values
        }
        let out = MedianFilter.alongTime(m, frames: frames, bins: bins, kernel: kernel)
        for k in 0..<bins {
            let row = (0..<frames).map { m[$0 * bins + k] }
            #expect((0..<frames).map { out[$0 * bins + k] } == Self.reference(row, kernel: kernel))
        }
    }

    @Test(arguments: [3, 9])
    func alongFrequencyMatchesASortBasedReferenceOnTheRequestedRows(kernel: Int) {
        let frames = 4
        let bins = 40
        let m: [Float] = (0..<(frames * bins)).map { Float(($0 * 37) % 23) }
        let rows = 5..<17
        let out = MedianFilter.alongFrequency(m, frames: frames, bins: bins, kernel: kernel, rows: rows)
        for t in 0..<frames {
            let column = Array(m[(t * bins)..<((t + 1) * bins)])
            let expected = Self.reference(column, kernel: kernel)
            for k in 0..<bins {
                #expect(out[t * bins + k] == (rows.contains(k) ? expected[k] : 0))
            }
        }
    }
}
