import DSP
import Foundation
import TestSupport
import Testing

@testable import Separation

/// The built-in separator: exact complementarity, and sources landing in the stems they should.
@Suite struct BandsplitSeparatorTests {
    static let separator = BandsplitSeparator()
    static let rate = 22050

    func energy(_ x: [Float]) -> Double { x.reduce(0) { $0 + Double($1) * Double($1) } }

    @Test func stemsSumToTheExcerptWithin1e5() async throws {
        let mix = TestAudio.tone(seconds: 6, sampleRate: Self.rate, seed: 21)
        let input = SeparationInput(
            mix: mix, sampleRate: Self.rate, sourcePath: "tone.wav", trackId: "t1",
            excerpt: Excerpt(policy: .middle, startSample: 0, sampleCount: mix.count, looped: true))
        let stems = try await Self.separator.separate(input)
        #expect(stems.names == ["vocals", "drums", "bass", "other"])
        var worst: Float = 0
        for i in 0..<mix.count { worst = max(worst, abs(stems.signals.reduce(0) { $0 + $1[i] } - mix[i])) }
        #expect(worst <= 1e-5, "max |Σ stems − mix| = \(worst)")
    }

    @Test func sustainedLowToneIsBass() {
        let x = (0..<(4 * Self.rate)).map { Float(0.5 * sin(2 * Double.pi * 55 * Double($0) / Double(Self.rate))) }
        let s = Self.separator.split(x, sampleRate: Self.rate)
        #expect(energy(s.bass) > 0.9 * energy(x), "bass holds \(energy(s.bass) / energy(x)) of the energy")
    }

    @Test func sustainedHighChordIsOther() {
        let x = (0..<(6 * Self.rate)).map { i -> Float in
            let t = Double(i) / Double(Self.rate)
            return Float(0.3 * sin(2 * .pi * 880 * t) + 0.3 * sin(2 * .pi * 1108.73 * t) + 0.3 * sin(2 * .pi * 1318.5 * t))
        }
        let s = Self.separator.split(x, sampleRate: Self.rate)
        #expect(energy(s.other) > 0.8 * energy(x), "other holds \(energy(s.other) / energy(x))")
    }

    @Test func broadbandClicksAreDrums() {
        var x = [Float](repeating: 0, count: 6 * Self.rate)
        var state: UInt32 = 7
        for onset in stride(from: 1000, to: x.count - 600, by: Self.rate / 4) {
            for j in 0..<400 {  // a short decaying noise burst every 250 ms
                state = state &* 1_664_525 &+ 1_013_904_223
                x[onset + j] = (Float(state % 2000) / 1000 - 1) * exp(-Float(j) / 60)
            }
        }
        let s = Self.separator.split(x, sampleRate: Self.rate)
        #expect(energy(s.drums) > 0.6 * energy(x), "drums hold \(energy(s.drums) / energy(x))")
        #expect(energy(s.bass) < 0.1 * energy(x))
    }

    @Test func crossoverIsOneBelowZeroAboveAndHalfAtTheCentre() {
        let w = Self.separator.crossover(bins: 2049, frameSize: 4096, sampleRate: Self.rate)
        let binWidth = Double(Self.rate) / 4096
        #expect(w[0] == 1 && w[Int(170 / binWidth)] == 1)
        #expect(w[Int(360 / binWidth) + 1] == 0 && w[2048] == 0)
        let centre = 250 / binWidth  // not a whole bin: check the value is near ½ there
        #expect(abs(w[Int(centre.rounded())] - 0.5) < 0.05)
    }
}
