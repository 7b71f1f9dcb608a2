import Core
import Foundation
import Store
import TestSupport
import Testing

@testable import Inference

/// The musicnn goldens in Tests/Fixtures/musicnn (copied from the maintainers' reference, produced by
/// the real musicnn 0.1.0 under librosa 0.7.2 / numpy 1.23 and the TF checkpoint).
enum MusicnnFixtures {
    static let directory = Fixtures.url("musicnn")

    static var manifest: [String: Any] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("manifest.json")),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return json
    }

    /// The case names listed in manifest.json (tests loop over these, never hard-code them).
    static let cases: [String] = ((manifest["cases"] as? [String: Any])?.keys.map { $0 } ?? []).sorted()

    static func manifestCase(_ name: String) throws -> [String: Any] {
        try #require((manifest["cases"] as? [String: Any])?[name] as? [String: Any], "no case \(name) in the manifest")
    }

    static func tensors(_ name: String) throws -> [String: Tensor] {
        try Safetensors.read(contentsOf: directory.appendingPathComponent("\(name).safetensors"))
    }

    /// The 16 kHz mono samples of a case: `audio` (float32) or `audio_pcm16` (int16 / 32768).
    static func audio(_ tensors: [String: Tensor]) throws -> [Float] {
        if let audio = tensors["audio"] { return try audio.floats() }
        let pcm = try #require(tensors["audio_pcm16"], "case has neither audio nor audio_pcm16")
        #expect(pcm.dtype == .i16)
        return pcm.bytes.withUnsafeBytes { raw in raw.bindMemory(to: Int16.self).map { Float($0) / 32768 } }
    }

    static func floats(_ tensors: [String: Tensor], _ key: String) throws -> [Float] {
        try #require(tensors[key], "golden tensor \(key) missing").floats()
    }

    static let model = Result { try MusicnnModel() }
}

/// Parity with every golden case of the reference: mel power, network input, taggram, logits,
/// track tags, penultimate, pooled features, and the intermediate maps where the case holds them.
///
/// Tolerances (measured errors in comments are the worst over all five cases):
/// - mel power: relative 1e-6 (measured 3.1e-7; 97–99 % of cells bit-exact) and the same float16
///   value in every cell (no rounding flips);
/// - network input: 1e-6 absolute (measured 4.8e-7: numpy's SIMD log10f and glibc's log10f differ by
///   up to 2 ulps; the float16 values themselves all agree);
/// - taggram and tags: 1e-5 (measured 1.1e-6), logits, penultimate and mean_pool: 1e-4 (measured
///   1e-5, 8.6e-6, 1.3e-5);
/// - max_pool and the intermediate maps (values up to ~150): 1e-4 · max|reference| of the tensor, the
///   convention of the RF-ResNet parity tests (measured up to 2.3e-4 on max_pool and 1.4e-4 on cnn3;
///   the reference's own float64-vs-TF cross-check differs by 3.1e-4 on max_pool).
@Suite struct MusicnnParityTests {
    @Test func everyReferenceCaseIsPresent() {
        #expect(MusicnnFixtures.cases.count == 5, "\(MusicnnFixtures.cases)")
        for name in MusicnnFixtures.cases {
            #expect(
                FileManager.default.fileExists(
                    atPath: MusicnnFixtures.directory.appendingPathComponent("\(name).safetensors").path))
        }
    }

    static func expectClose(
        _ actual: [Float], _ golden: [Float], _ what: String, absolute: Float, relative: Float = 0, scaled: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            actual.count == golden.count, "\(what): \(actual.count) values vs \(golden.count)", sourceLocation: sourceLocation)
        guard actual.count == golden.count else { return }
        let absolute = scaled ? absolute * max(1, golden.map(abs).max() ?? 1) : absolute
        var worst = (index: -1, excess: Float(0), error: Float(0))
        for i in 0..<golden.count {
            let error = abs(actual[i] - golden[i])
            let excess = error - max(absolute, relative * abs(golden[i]))
            if excess > worst.excess || error.isNaN { worst = (i, excess, error) }
        }
        #expect(
            worst.index < 0,
            "\(what): error \(worst.error) at \(worst.index): \(worst.index >= 0 ? actual[worst.index] : 0) vs \(worst.index >= 0 ? golden[worst.index] : 0)",
            sourceLocation: sourceLocation)
    }

    @Test(arguments: MusicnnFixtures.cases)
    func frontEndMatchesLibrosa(case name: String) throws {
        let t = try MusicnnFixtures.tensors(name)
        let samples = try MusicnnFixtures.audio(t)
        let frontEnd = MusicnnFrontEnd()
        let mel = try frontEnd.melPower(samples)
        let goldenMel = try MusicnnFixtures.floats(t, "mel_power")
        #expect(mel.frameCount * MusicnnFrontEnd.melBandCount == goldenMel.count)
        Self.expectClose(mel.values, goldenMel, "\(name).mel_power", absolute: 1e-12, relative: 1e-6)
        let flips = zip(mel.values, goldenMel).filter { Float16($0) != Float16($1) }.count
        #expect(flips == 0, "\(name): \(flips) cells round to a different float16 value")

        let patches = try frontEnd.patches(samples)
        let goldenInput = try MusicnnFixtures.floats(t, "input_batch")
        let shape = try #require(t["input_batch"]).shape
        #expect(shape == [patches.count, MusicnnFrontEnd.patchFrames, MusicnnFrontEnd.melBandCount])
        Self.expectClose(patches.values, goldenInput, "\(name).input_batch", absolute: 1e-6)
        #expect(patches.frameCount == mel.frameCount)
    }

    @Test(arguments: MusicnnFixtures.cases)
    func networkMatchesTensorFlow(case name: String) throws {
        let t = try MusicnnFixtures.tensors(name)
        let model = try MusicnnFixtures.model.get()
        // The golden input batch, so that this checks the network alone.
        let input = try MusicnnFixtures.floats(t, "input_batch")
        let count = try #require(t["input_batch"]).shape[0]
        let patches = try MusicnnPatches(values: input, count: count)
        let output = model.predict(patches, keepIntermediates: t["timbral"] != nil)
        #expect(output.patchCount == count)
        Self.expectClose(output.taggram, try MusicnnFixtures.floats(t, "taggram"), "\(name).taggram", absolute: 1e-5)
        Self.expectClose(output.logits, try MusicnnFixtures.floats(t, "logits"), "\(name).logits", absolute: 1e-4)
        Self.expectClose(output.penultimate, try MusicnnFixtures.floats(t, "penultimate"), "\(name).penultimate", absolute: 1e-4)
        Self.expectClose(output.meanPool, try MusicnnFixtures.floats(t, "mean_pool"), "\(name).mean_pool", absolute: 1e-4)
        Self.expectClose(
            output.maxPool, try MusicnnFixtures.floats(t, "max_pool"), "\(name).max_pool", absolute: 1e-4, scaled: true)
        if t["timbral"] != nil {
            let maps = try #require(output.intermediates)
            for (key, values) in [
                ("timbral", maps.timbral), ("temporal", maps.temporal), ("cnn1", maps.cnn1), ("cnn2", maps.cnn2),
                ("cnn3", maps.cnn3),
            ] {
                #expect(try #require(t[key]).shape.reduce(1, *) == values.count, "\(key) size")
                Self.expectClose(values, try MusicnnFixtures.floats(t, key), "\(name).\(key)", absolute: 1e-4, scaled: true)
            }
        }
    }

    @Test(arguments: MusicnnFixtures.cases)
    func audioToTagsMatchesMusicnn(case name: String) throws {
        let t = try MusicnnFixtures.tensors(name)
        let tagger = MusicnnTagger(model: try MusicnnFixtures.model.get())
        let result = try tagger.tag(try MusicnnFixtures.audio(t))
        let info = try MusicnnFixtures.manifestCase(name)
        #expect(result.frameCount == info["n_frames"] as? Int)
        #expect(result.patchCount == info["n_patches"] as? Int)
        #expect(result.droppedFrames == info["tail_frames_dropped"] as? Int)
        Self.expectClose(result.output.taggram, try MusicnnFixtures.floats(t, "taggram"), "\(name).taggram", absolute: 1e-5)
        Self.expectClose(result.tags, try MusicnnFixtures.floats(t, "tags"), "\(name).tags", absolute: 1e-5)
        // top5 in the manifest: [[label, probability rounded to 6 decimals], ...]
        let top5 = try #require(info["top5"] as? [[Any]])
        let mine = result.top(5)
        #expect(mine.map(\.label) == top5.compactMap { $0.first as? String }, "\(name) top-5 labels")
        for (tag, expected) in zip(mine, top5) {
            let p = try #require(expected.last as? Double)
            #expect(abs(Double(tag.probability) - p) <= 1e-5, "\(name) \(tag.label): \(tag.probability) vs \(p)")
            #expect(MusicnnModel.labels[tag.index] == tag.label)
        }
    }

    @Test func goldenMelPowerQuantisesToTheGoldenInput() throws {
        // input_batch[p, i, m] == float32(log10(10000 · float16(mel_power[187p + i, m]) + 1)) in the
        // reference; ours uses glibc's log10f, numpy used its SIMD log10f: at most 2 ulps apart.
        for name in MusicnnFixtures.cases {
            let t = try MusicnnFixtures.tensors(name)
            let mel = try MusicnnFixtures.floats(t, "mel_power")
            let input = try MusicnnFixtures.floats(t, "input_batch")
            let mine = mel.prefix(input.count).map(MusicnnFrontEnd.logCompress)
            Self.expectClose(mine, input, "\(name) log compression", absolute: 1e-6)
            let worstUlps = zip(mine, input).map { abs($0 - $1) / $1.ulp }.max() ?? 0
            #expect(worstUlps <= 2, "\(name): \(worstUlps) ulps")
        }
    }
}
