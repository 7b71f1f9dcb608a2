import Foundation
import TestSupport
import Testing

@testable import DSP

/// The separation STFT: centred frames, periodic Hann, hop n/4, exact inverse.
@Suite struct ShortTimeFourierTransformTests {
    @Test(arguments: [1024, 4096])
    func inverseOfForwardReconstructsTheSignalWithin1e6(size: Int) {
        let stft = ShortTimeFourierTransform(size: size)
        let x = TestAudio.tone(seconds: 1.3, sampleRate: 22050, seed: 4)
        let spectrogram = stft.forward(x)
        #expect(spectrogram.frameCount == 1 + x.count / (size / 4))
        #expect(spectrogram.binCount == size / 2 + 1)
        let y = stft.inverse(spectrogram, length: x.count)
        let worst = worstDifference(y, x)
        #expect(worst.error < 1e-6, "worst sample \(worst.index): \(worst.value) vs \(worst.expected)")
    }

    @Test func complementaryMasksSplitTheSignalExactly() {
        let stft = ShortTimeFourierTransform(size: 1024)
        let x = TestAudio.tone(seconds: 0.7, sampleRate: 22050, seed: 8)
        let spectrum = stft.forward(x)
        let mask = (0..<(spectrum.frameCount * spectrum.binCount)).map { Float(($0 * 7919) % 101) / 100 }
        let a = stft.inverse(spectrum.masked(by: mask), length: x.count)
        let b = stft.inverse(spectrum.masked(by: mask.map { 1 - $0 }), length: x.count)
        let sum = zip(a, b).map { $0 + $1 }
        #expect(worstDifference(sum, x).error < 1e-6)
    }

    @Test func centredFrameOfASinePeaksAtItsBin() {
        let stft = ShortTimeFourierTransform(size: 1024)
        // 1 kHz at 22 050 Hz sits at bin 1000 / (22050 / 1024) = 46.4.
        let x = (0..<22050).map { Float(sin(2 * Double.pi * 1000 * Double($0) / 22050)) }
        let m = stft.forward(x).magnitudes()
        let frame = 20 * 513
        let peak = (0..<513).max { m[frame + $0] < m[frame + $1] }
        #expect(peak == 46)
    }
}
