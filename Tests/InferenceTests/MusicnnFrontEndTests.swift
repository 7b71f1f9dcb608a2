import AudioIO
import Foundation
import TestSupport
import Testing

@testable import Inference

/// Unit checks of the musicnn front end against MUSICNN.md §§2–3 (frame and patch arithmetic,
/// reflect padding, float16 rounding, the Slaney filterbank, errors).
@Suite struct MusicnnFrontEndTests {
    @Test func frameAndPatchCountsFollowTheReference() {
        // (samples, frames, patches, dropped) from MUSICNN.md §3.
        for (samples, frames, patches, dropped) in [
            (160_000, 626, 3, 65), (48_000, 188, 1, 1), (404_800, 1582, 8, 86), (480_000, 1876, 10, 6),
            (47_616, 187, 1, 0), (47_615, 186, 0, 186),
        ] {
            let t = MusicnnFrontEnd.frameCount(sampleCount: samples)
            #expect(t == frames, "\(samples) samples")
            #expect(MusicnnFrontEnd.patchCount(frameCount: t) == patches, "\(samples) samples")
            #expect(t - MusicnnFrontEnd.patchCount(frameCount: t) * MusicnnFrontEnd.patchFrames == dropped)
        }
        #expect(MusicnnFrontEnd.minimumSampleCount == 47_616)
    }

    @Test func theTailIsDroppedAndNeverAffectsThePatches() throws {
        let t = try MusicnnFixtures.tensors("chirp_3s")
        let samples = try MusicnnFixtures.audio(t)
        let frontEnd = MusicnnFrontEnd()
        let logMel = try frontEnd.logMel(samples)
        let patches = try frontEnd.patches(samples)
        #expect(logMel.frameCount == 188)
        #expect(patches.count == 1 && patches.droppedFrames == 1)
        #expect(patches.values == Array(logMel.values.prefix(MusicnnFrontEnd.patchSize)))
        // Frame 186, the last one kept, reads samples up to 186·256 + 255 = 47,871; later samples only
        // reach the dropped frame 187.
        var changed = samples
        for i in 47_872..<changed.count { changed[i] = 0.5 }
        #expect(try frontEnd.patches(changed) == patches)
        changed[47_871] += 0.25
        #expect(try frontEnd.patches(changed) != patches)
    }

    @Test func inputShorterThanOnePatchIsAClearError() throws {
        let frontEnd = MusicnnFrontEnd()
        let short = [Float](repeating: 0.1, count: 47_615)
        #expect(throws: MusicnnError.tooShort(sampleCount: 47_615, frameCount: 186)) { try frontEnd.patches(short) }
        #expect(throws: MusicnnError.emptyAudio) { try frontEnd.patches([]) }
        #expect(throws: MusicnnError.emptyAudio) { try frontEnd.melPower([]) }
        let error = MusicnnError.tooShort(sampleCount: 47_615, frameCount: 186)
        #expect(error.description.contains("187 frames") && error.description.contains("47616"))
        let one = try frontEnd.patches(short + [0.1])
        #expect(one.count == 1 && one.droppedFrames == 0)
        // Spectrograms: the same rule.
        let spectrogram = try MusicnnSpectrogram(frameCount: 186, values: [Float](repeating: 0, count: 186 * 96))
        #expect(throws: MusicnnError.self) { try MusicnnFrontEnd.patches(spectrogram) }
        #expect(throws: MusicnnError.spectrogramShape(valueCount: 5, frameCount: 1)) {
            try MusicnnSpectrogram(frameCount: 1, values: [Float](repeating: 0, count: 5))
        }
        #expect(throws: MusicnnError.patchShape(valueCount: 10, patchCount: 1)) {
            try MusicnnPatches(values: [Float](repeating: 0, count: 10), count: 1)
        }
        #expect(throws: MusicnnError.invalidSampleRate(0)) { try frontEnd.patches(short, sampleRate: 0) }
    }

    @Test func silenceGivesZeroInput() throws {
        let patches = try MusicnnFrontEnd().patches([Float](repeating: 0, count: 48_000))
        #expect(patches.values.allSatisfy { $0 == 0 })
    }

    @Test func melPowerIsRoundedToHalfPrecisionTiesToEvenBeforeTheLog() {
        func expected(_ h: Float) -> Float { log10(10_000 * h + 1) }
        let ulpAtOne = Float(1) / 1024  // float16 spacing in [1, 2)
        let cases: [(power: Float, half: Float)] = [
            (0, 0),
            (1, 1),
            (1 + ulpAtOne / 2, 1),  // tie → even (mantissa …0)
            (1 + 3 * ulpAtOne / 2, 1 + 2 * ulpAtOne),  // tie → even (mantissa …10)
            (1 + ulpAtOne / 2 + 1e-6, 1 + ulpAtOne),  // above the tie
            (0.1, 0.099_975_586),  // 0x2E66
            (0x1p-25, 0),  // half the smallest subnormal: tie → 0
            (0x1.8p-25, 0x1p-24),  // rounds up to the smallest subnormal (kept, not flushed)
            (3e-5, 0x1.f7p-16),  // a subnormal: multiple of 2^-24
            (6.552, 6.5507813),  // below the float16-overflow threshold of numpy ≥ 2 (10000 · h < 65520)
            (104.78131, 104.8125),  // the largest mel power of the goldens
        ]
        for (power, half) in cases {
            #expect(Float(Float16(power)) == half, "float16(\(power))")
            #expect(MusicnnFrontEnd.logCompress(power) == expected(half), "logCompress(\(power))")
        }
        #expect(MusicnnFrontEnd.logCompress(0) == 0)
        // Evaluated in float32: 10000 · 104.8125 would overflow in float16.
        #expect(MusicnnFrontEnd.logCompress(104.78131).isFinite)
        #expect(abs(MusicnnFrontEnd.logCompress(104.78131) - 6.020_414) < 1e-5)
    }

    @Test func reflectPaddingMirrorsWithoutRepeatingTheEdge() {
        // numpy.pad([0, 1, 2, 3, 4], 6, mode="reflect") = [2 3 4 3 2 1 | 0 1 2 3 4 | 3 2 1 0 1 2]
        let padded = (-6..<11).map { MusicnnFrontEnd.reflect($0, count: 5) }
        #expect(padded == [2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2])
        // numpy.pad(..., 10, mode="reflect"): longer than the signal, reflected again.
        let wide = (-10..<15).map { MusicnnFrontEnd.reflect($0, count: 5) }
        #expect(wide == [2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2])
        #expect(MusicnnFrontEnd.reflect(-3, count: 1) == 0)
    }

    @Test func periodicHannWindow() {
        let w = MusicnnFrontEnd.periodicHann()
        #expect(w.count == 512)
        #expect(w[0] == 0)
        #expect(abs(w[256] - 1) < 1e-15)
        for n in [1, 100, 255, 300, 511] {
            #expect(abs(w[n] - (0.5 - 0.5 * cos(2 * Double.pi * Double(n) / 512))) < 1e-15)
            if n > 0 { #expect(abs(w[n] - w[512 - n]) < 1e-15) }
        }
    }

    @Test func slaneyMelFilterbank() {
        let edges = MusicnnFrontEnd.melBandEdges()
        #expect(edges.count == 98)
        #expect(edges[0] == 0)
        #expect(abs(edges[97] - 8000) < 1e-9)
        #expect(zip(edges, edges.dropFirst()).allSatisfy { $0 < $1 })
        // The Slaney scale: linear to 1 kHz (15 mel), logarithmic above, 27 steps per ln(6.4).
        #expect(abs(MusicnnFrontEnd.hzToMel(1000) - 15) < 1e-12)
        #expect(abs(MusicnnFrontEnd.hzToMel(6400) - 42) < 1e-12)
        #expect(abs(MusicnnFrontEnd.hzToMel(500) - 7.5) < 1e-12)
        for f in [0.0, 250, 999, 1000, 3000, 8000] {
            #expect(abs(MusicnnFrontEnd.melToHz(MusicnnFrontEnd.hzToMel(f)) - f) < 1e-9)
        }
        let fb = MusicnnFrontEnd().melFilterbank
        #expect(fb.count == 96 * 257)
        #expect(fb.allSatisfy { $0 >= 0 })
        for i in 0..<96 {
            let row = fb[(i * 257)..<((i + 1) * 257)]
            #expect(row.contains { $0 > 0 }, "band \(i) is empty")
            // Slaney area normalisation: each triangle has unit area in Hz; where it spans many bins
            // the Riemann sum over the 31.25-Hz bins is close to 1.
            if edges[i + 2] - edges[i] > 20 * 31.25 {
                let area = row.reduce(0) { $0 + Double($1) } * 31.25
                #expect(abs(area - 1) < 0.01, "band \(i) area \(area)")
            }
            // Independent evaluation in float64 (rounded once): agrees to ~1e-9 (MUSICNN.md §2.6).
            for j in 0..<257 {
                let f = Double(j) * 31.25
                let up = (f - edges[i]) / (edges[i + 1] - edges[i])
                let down = (edges[i + 2] - f) / (edges[i + 2] - edges[i + 1])
                let w = max(0, min(up, down)) * 2 / (edges[i + 2] - edges[i])
                #expect(abs(Double(row[row.startIndex + j]) - w) < 1e-8, "band \(i) bin \(j)")
            }
        }
        // Band 0 rises from 0 Hz: bin 0 has weight 0, bin 1 (31.25 Hz) is on the first triangle.
        #expect(fb[0] == 0 && fb[1] > 0)
        // The top band ends at 8 kHz: the Nyquist bin gets no weight.
        #expect(fb[95 * 257 + 256] == 0)
    }

    @Test func otherSampleRatesAreResampledTo16kHz() throws {
        let t = try MusicnnFixtures.tensors("synth_10s")
        let samples = try MusicnnFixtures.audio(t)
        let tagger = MusicnnTagger(model: try MusicnnFixtures.model.get())
        let reference = try tagger.tag(samples)
        // 16 kHz → 44.1 kHz (soxr VHQ) and back inside the tagger (soxr HQ).
        let upsampled = try Resampler(quality: .veryHigh).resample(samples, from: 16_000, to: 44_100)
        let result = try tagger.tag(upsampled, sampleRate: 44_100)
        #expect(result.patchCount == reference.patchCount)
        let worst = zip(result.tags, reference.tags).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 0.02, "tags moved by \(worst)")
        #expect(result.top(3).map(\.label) == reference.top(3).map(\.label))
        // Already 16 kHz: no resampling at all.
        #expect(try MusicnnFrontEnd.resampled(samples, sampleRate: 16_000) == samples)
    }
}
