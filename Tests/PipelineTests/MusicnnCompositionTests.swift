import DSP
import Explain
import Inference
import Models
import TestSupport
import Testing

@testable import Pipeline

/// musicnn's front end through the composition engine: composed log-mel spectrograms against
/// `MusicnnFrontEnd.logMel` of the summed (and, when normalised, peak-divided) waveform.
/// The network input is quantised to float16 before the log, so a sum that lands on a rounding
/// boundary can flip one half-precision step (≤ 4.2e-4 after the log); everything else agrees
/// to float32 rounding (measured: 0.14 % of cells flip with peak normalisation, fewer raw).
@Suite struct MusicnnCompositionTests {
    @Test(arguments: [SignalConditioning.raw, .normalized])
    func composedLogMelMatchesTheFrontEndOfTheSum(_ mode: SignalConditioning) throws {
        let rate = MusicnnFrontEnd.sampleRate
        let n = rate * 4
        var late = TestAudio.tone(seconds: 4, sampleRate: rate, seed: 12).map { $0 * 0.4 }
        for i in 0..<(n / 3) { late[i] = 0 }
        let stems: [(name: String, samples: [Float])] = [
            ("a", TestAudio.tone(seconds: 4, sampleRate: rate, seed: 11)), ("b", late),
            ("c", TestAudio.tone(seconds: 4, sampleRate: rate, seed: 13).map { $0 * 0.05 }),
        ]
        let components = try ExplanationComponents(stems: stems)
        let frontEnd = MusicnnComposableFrontEnd()
        let composer = try PerturbationComposer(frontEnd: frontEnd, components: components, conditioning: mode)
        var cells = 0
        var flips = 0
        var worst: Float = 0
        try composer.compose((1..<UInt64(8)).map { $0 }) { index, composed in
            var sum = components.sum(of: UInt64(index + 1))
            if mode == .normalized {
                let peak = sum.map(abs).max() ?? 1
                sum = sum.map { $0 / peak }
            }
            let expected = try frontEnd.frontEnd.logMel(sum)
            #expect(composed.frameCount == expected.frameCount)
            for (a, b) in zip(composed.values, expected.values) {
                let d = abs(a - b)
                cells += 1
                if d > 1e-4 { flips += 1 }
                worst = max(worst, d)
            }
        }
        #expect(cells == 7 * MusicnnFrontEnd.frameCount(sampleCount: n) * 96)
        #expect(worst <= 4.5e-4, "largest difference \(worst)")
        #expect(Double(flips) / Double(cells) < 5e-3, "\(flips) of \(cells) cells differ by more than 1e-4")
    }

    @Test func trimmingIsRefusedForMusicnn() throws {
        let components = try ExplanationComponents(stems: [("a", [Float](repeating: 0.1, count: 20_000))])
        #expect(throws: ExplainError.conditioningUnsupported("paper")) {
            _ = try PerturbationComposer(frontEnd: MusicnnComposableFrontEnd(), components: components, conditioning: .paper)
        }
    }
}
