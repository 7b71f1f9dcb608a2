import DSP
import TestSupport
import Testing

@testable import Explain

/// The composition engine against the ordinary front end: for every mask, the spectrogram
/// composed from cached component spectra must equal `LogFilteredSpectrogram.compute` of the
/// summed waveform under the same conditioning rules (≤ 1e-4 absolute, identical frame counts).
@Suite struct PerturbationComposerTests {
    static let frontEnd = LogFilteredSpectrogram()
    static let sampleRate = 22050

    /// Five stems of `seconds`: a full one, a late entry, an early exit, a silent stem and one that
    /// is silent at both ends, at very different levels.
    static func stems(seconds: Double) -> [(name: String, samples: [Float])] {
        let n = Int(seconds * Double(sampleRate))
        func tone(_ seed: Int, _ gain: Float) -> [Float] {
            TestAudio.tone(seconds: seconds, sampleRate: sampleRate, seed: seed).map { $0 * gain }
        }
        var late = tone(2, 0.5)
        for i in 0..<(n * 3 / 10) { late[i] = 0 }
        var early = tone(3, 0.05)
        for i in (n * 6 / 10)..<n { early[i] = 0 }
        var middle = tone(5, 1.2)
        for i in 0..<n where i < n / 5 || i >= n * 7 / 10 { middle[i] = 0 }
        return [
            ("vocals", tone(1, 0.8)), ("drums", late), ("bass", early),
            ("piano", [Float](repeating: 0, count: n)), ("other", middle),
        ]
    }

    func assertEquivalent(_ components: ExplanationComponents, _ patterns: [UInt64], _ mode: SignalConditioning) throws {
        let composer = try PerturbationComposer(frontEnd: Self.frontEnd, components: components, conditioning: mode)
        var seen = Set<Int>()
        try composer.compose(patterns) { index, composed in
            seen.insert(index)
            let expected = try Self.frontEnd.compute(components.sum(of: patterns[index]), conditioning: mode)
            #expect(composed.frameCount == expected.frameCount, "mask \(patterns[index]) in \(mode)")
            guard composed.frameCount == expected.frameCount else { return }
            let worst = worstDifference(composed.values, expected.values)
            #expect(worst.error <= 1e-4, "mask \(String(patterns[index], radix: 2)) in \(mode): \(worst)")
        }
        #expect(seen == Set(patterns.indices))
    }

    @Test(arguments: SignalConditioning.allCases)
    func everyExhaustiveMaskMatchesTheFrontEnd(_ mode: SignalConditioning) throws {
        let components = try ExplanationComponents(stems: Self.stems(seconds: 4))
        try assertEquivalent(components, (0..<UInt64(32)).map { $0 }, mode)
    }

    @Test(arguments: SignalConditioning.allCases)
    func segmentedComponentsWithSampledMasksMatchTheFrontEnd(_ mode: SignalConditioning) throws {
        let components = try ExplanationComponents(stems: Self.stems(seconds: 3), segments: 3)
        #expect(components.count == 15)
        #expect(components.names[5] == "vocals1")
        #expect(components.sources[5] == "vocals" && components.segments[5] == 1)
        let masks = MaskSet.sampled(componentCount: 15, rowCount: 24, seed: 3)
        try assertEquivalent(components, (0..<24).map { masks.bitPattern(ofRow: $0) }, mode)
    }

    @Test func paperModeMovesTheGridToTheFirstAudibleStem() throws {
        let components = try ExplanationComponents(stems: Self.stems(seconds: 4))
        let composer = try PerturbationComposer(frontEnd: Self.frontEnd, components: components, conditioning: .paper)
        let drumsOnly = composer.grid(of: 0b00010)
        #expect(drumsOnly?.offset == Int(4.0 * 22050) * 3 / 10)
        #expect(composer.grid(of: 0b01000) == nil, "the silent stem alone has no grid")
        let normalized = try PerturbationComposer(frontEnd: Self.frontEnd, components: components, conditioning: .normalized)
        #expect(normalized.grid(of: 0b00010)?.offset == 0)
        #expect(composer.audibleComponents == 0b10111)
    }

    @Test func grayRankOrdersACompleteSetOneBitApart() {
        let ordered = (0..<UInt64(64)).sorted {
            PerturbationComposer<LogFilteredSpectrogram>.grayRank($0) < PerturbationComposer<LogFilteredSpectrogram>.grayRank($1)
        }
        for (a, b) in zip(ordered, ordered.dropFirst()) { #expect((a ^ b).nonzeroBitCount == 1) }
    }
}
