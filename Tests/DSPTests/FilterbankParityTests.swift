import Core
import Foundation
import TestSupport
import Testing

@testable import DSP

/// Parity of the filterbank, window and framing with madmom 0.16.1 goldens (Tests/Fixtures/spectrogram).
@Suite struct FilterbankParityTests {
    let goldens: [String: Tensor]
    init() throws { goldens = try Fixtures.spectrogramGoldens() }

    @Test func filterbankMatchesMadmomBitExactly() throws {
        let bank = LogarithmicFilterbank()
        #expect(bank.bandCount == 149)
        let expected = try #require(goldens["filterbank"]).floats()
        let worst = worstDifference(bank.denseMatrix(), expected)
        #expect(worst.error == 0, "worst filterbank entry \(worst.index): \(worst.value) vs \(worst.expected)")
    }

    @Test func uniqueBinsAndLogFrequenciesAreExact() throws {
        let bank = LogarithmicFilterbank()
        let bins = try #require(goldens["band_bins_unique"]).int64s().map(Int.init)
        #expect(bank.uniqueBins == bins)
        let freqs = try #require(goldens["log_frequencies"]).doubles()
        #expect(bank.logFrequencies == freqs)
    }

    @Test func hannWindowMatchesNumpyHanning() throws {
        let expected = try #require(goldens["hann_window"]).doubles()
        let window = HannWindow.symmetric(length: 2048)
        let worst = zip(window, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-15, "worst window difference \(worst)")
    }

    @Test func numpyPairwiseSumOrderIsReproduced() {
        // 1e8 + 1 + … loses the ones left to right but not in 8 lanes: the order is observable.
        let values: [Float] = [1e8] + [Float](repeating: 1, count: 15)
        #expect(LogarithmicFilterbank.numpyPairwiseSum(values) == 1e8 + 8)
        #expect(values.reduce(0, +) == 1e8)
    }
}
