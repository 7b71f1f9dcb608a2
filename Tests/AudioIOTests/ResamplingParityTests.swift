import Core
import Foundation
import TestSupport
import Testing

@testable import AudioIO

/// Down-mix and soxr HQ resampling against the python-soxr 1.1.0 golden
/// (`resample.mono_22050_soxr_hq`). Tolerance: bit-exact (the same libsoxr recipe and the same
/// float32 channel mean); for scale, the golden's HQ vs VHQ difference is 8.5e-4, 59 dB.
@Suite struct ResamplingParityTests {
    @Test func downmixThenSoxrHQMatchesPythonSoxrBitExactly() throws {
        let goldens = try Fixtures.spectrogramGoldens()
        let pcm = try #require(goldens["resample.stereo_44100_int16"])
        let ints: [Int16] = pcm.bytes.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        let audio = DecodedAudio(samples: ints.map { Float($0) / 32768 }, channelCount: 2, sampleRate: 44100)
        let mono = audio.downmixed()
        let out = try Resampler(quality: .high).resample(mono, from: 44100, to: 22050)
        let expected = try #require(goldens["resample.mono_22050_soxr_hq"]).floats()
        #expect(out.count == expected.count)
        let worst = worstDifference(out, expected)
        let signal = expected.reduce(0) { $0 + Double($1 * $1) }
        let noise = zip(out, expected).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let snr = 10 * log10(signal / max(noise, 1e-300))
        #expect(worst.error == 0, "worst sample \(worst.index): \(worst.value) vs \(worst.expected), SNR \(snr) dB")
    }

    @Test func sameRateIsIdentity() throws {
        let x: [Float] = [0.1, -0.2, 0.3]
        #expect(try Resampler().resample(x, from: 22050, to: 22050) == x)
    }

    @Test func downmixIsTheChannelMean() {
        let audio = DecodedAudio(samples: [1, 0, 0.5, 0.25, -1, 1], channelCount: 2, sampleRate: 8000)
        #expect(audio.downmixed() == [0.5, 0.375, 0])
    }
}
