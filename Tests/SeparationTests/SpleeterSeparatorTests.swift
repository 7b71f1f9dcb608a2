import AudioIO
import Core
import DSP
import Foundation
import Inference
import TestSupport
import Testing

@testable import Separation

/// The spleeter separators as ingest uses them: the stored excerpt (mono 22 050 Hz) in, stems
/// that add up to it out.
@Suite struct SpleeterSeparatorTests {
    static func input(_ mix: [Float]) -> SeparationInput {
        SeparationInput(
            mix: mix, sampleRate: 22_050, sourcePath: "/corpus/test.wav", trackId: "abc",
            excerpt: Excerpt.choose(total: mix.count, length: mix.count, sampleRate: 22_050, policy: .start))
    }

    static func maxAbs(_ x: [Float]) -> Float { x.reduce(0) { max($0, abs($1)) } }

    @Test func spleeterStemsAddUpToTheExcerptWithTheDifferenceInAccompaniment() async throws {
        let model = try SpleeterFixtures.twoStems()
        let separator = SpleeterSeparator(model: model, threads: 2)
        let mix = SpleeterFixtures.excerpt()
        let stems = try await separator.separate(Self.input(mix))
        #expect(stems.names == ["vocals", "accompaniment"])
        let sum = zip(stems.signals[0], stems.signals[1]).map { $0 + $1 }
        let error = zip(sum, mix).map { abs($0 - $1) }.max() ?? 1
        #expect(error <= 1e-6 * Self.maxAbs(mix) + 1e-7, "Σ stems − excerpt = \(error)")
        let absorbed = try #require(stems.absorbed)
        #expect(absorbed.stem == "accompaniment")
        // The network's own stems miss a little (the resampling round trip, nothing above 11 kHz):
        // not nothing, and far below the excerpt's peak.
        // The network's own stems miss what the resampling round trip and the zero mask above
        // 11 kHz drop (the noise bursts reach 11 kHz): the accompaniment took exactly that.
        let network = try separator.networkStems(Self.input(mix))
        var largest: Float = 0
        for k in mix.indices {
            // excerpt − Σ stems, summed first as `SpleeterSeparator.complete` does (the other
            // order rounds differently in the last bit).
            let residual = mix[k] - (network[0][k] + network[1][k])
            largest = max(largest, abs(residual))
            #expect(abs(stems.signals[1][k] - network[1][k] - residual) <= 1e-6)
            #expect(stems.signals[0][k] == network[0][k])
        }
        #expect(absorbed.peak == largest && absorbed.peak > 0 && absorbed.peak < Self.maxAbs(mix), "absorbed \(absorbed)")
        // Both stems carry signal: the separation is not a copy.
        #expect(Self.maxAbs(stems.signals[0]) > 0.01 && Self.maxAbs(stems.signals[1]) > 0.01)
        #expect(separator.identity.id.hasPrefix("spleeter@1#"))
        #expect(separator.identity.parameters.contains(model.weights.contentHash))
    }

    @Test func spleeterPlusBandsplitTakesSpleeterVocalsAndSplitsTheRest() async throws {
        let spleeter = SpleeterSeparator(model: try SpleeterFixtures.twoStems(), threads: 2)
        let composed = SpleeterBandsplitSeparator(spleeter: spleeter)
        let mix = SpleeterFixtures.excerpt()
        let stems = try await composed.separate(Self.input(mix))
        #expect(stems.names == ["vocals", "drums", "bass", "other"])
        var sum = [Float](repeating: 0, count: mix.count)
        for signal in stems.signals { for k in sum.indices { sum[k] += signal[k] } }
        let error = zip(sum, mix).map { abs($0 - $1) }.max() ?? 1
        #expect(error <= 1e-5, "Σ stems − excerpt = \(error)")
        let own = try await spleeter.separate(Self.input(mix))
        #expect(stems["vocals"] == own["vocals"], "the composed vocals are spleeter's")
        #expect(composed.identity.id.hasPrefix("spleeter+bandsplit@1#"))
        #expect(composed.identity.parameters.contains(spleeter.identity.id))
        // The rest's low band is split off as bass: most of the 55 Hz line lands there.
        #expect(Self.maxAbs(stems["bass"] ?? []) > 0.1)
    }

    @Test func aModelWhoseStemsAreCopiesOfTheInputIsAnError() throws {
        // One instrument: its ratio mask is 1 everywhere, so on audio without content above
        // 11 kHz the "separation" returns the input itself — the silent failure to refuse.
        let dir = try Fixtures.temporaryDirectory("spleeter-one")
        let url = dir.appendingPathComponent("one.safetensors")
        try SpleeterFixtures.derived(keep: ["vocals"], to: url)
        let model = SpleeterModel(weights: try SpleeterWeights(contentsOf: url, makeCommand: "make it"))
        #expect(model.instruments == ["vocals"])
        // A tone faded in and out (an abrupt start would put energy above 11 kHz, which the
        // zero mask extension removes).
        let tone = (0..<44_100).map { k in
            let t = Double(k) / 44_100
            return Float(0.5 * sin(.pi * t) * sin(.pi * t) * sin(2 * .pi * 440 * t))
        }
        #expect {
            _ = try SpleeterSeparator.run(model, [tone, tone], threads: 1, path: "/corpus/tone.wav")
        } throws: { error in
            "\(error)".contains("/corpus/tone.wav") && "\(error)".contains("equals the input")
        }
    }

    @Test func copyCheckUsesAToleranceOfOneMillionthOfThePeak() {
        let input: [Float] = [0.5, -1, 0.25]
        #expect(StemChecks.isCopy([0.5, -1, 0.25], of: input))
        #expect(StemChecks.isCopy([0.5 + 9e-7, -1, 0.25], of: input))
        #expect(!StemChecks.isCopy([0.5 + 2e-6, -1, 0.25], of: input))
        #expect(!StemChecks.isCopy([0.5, -1], of: input))
    }

    @Test func weightFilesAreCheckedBeforeUse() throws {
        let dir = try Fixtures.temporaryDirectory("spleeter-bad")
        let missing = dir.appendingPathComponent("none.safetensors")
        #expect {
            _ = try SpleeterWeights(contentsOf: missing, makeCommand: "tools/fetch_spleeter")
        } throws: { "\($0)".contains("not found") && "\($0)".contains("tools/fetch_spleeter") }
        // A path that exists but is no file is not called missing: the reason is given.
        #expect(throws: SpleeterError.corruptWeights(path: dir.path, reason: "not a regular file", command: "m")) {
            _ = try SpleeterWeights(contentsOf: dir, makeCommand: "m")
        }

        let good = try Data(contentsOf: try SpleeterFixtures.twoStemsURL())
        let truncated = dir.appendingPathComponent("truncated.safetensors")
        try good.prefix(good.count / 2).write(to: truncated)
        #expect {
            _ = try SpleeterWeights(contentsOf: truncated, makeCommand: "tools/fetch_spleeter")
        } throws: { "\($0)".contains("not usable spleeter weights") && "\($0)".contains("tools/fetch_spleeter") }

        // A weight with a NaN is refused, naming the tensor.
        var (tensors, metadata) = try Safetensors.decodeWithMetadata(good)
        var kernels = tensors
        var values = try #require(tensors["vocals/conv3/bias"]).floats()
        values[5] = .nan
        tensors["vocals/conv3/bias"] = Tensor(floats: values, shape: [values.count])
        let poisoned = dir.appendingPathComponent("nan.safetensors")
        try Safetensors.write(tensors, metadata: metadata, to: poisoned)
        #expect {
            _ = try SpleeterWeights(contentsOf: poisoned, makeCommand: "m")
        } throws: { "\($0)".contains("vocals/conv3/bias") && "\($0)".contains("NaN") }
        // …and so is an infinite kernel value: kernels are checked where they lie in the file.
        let kernel = try #require(kernels["accompaniment/deconv2/kernel"])
        var weights = try kernel.floats()
        weights[weights.count - 1] = -.infinity
        kernels["accompaniment/deconv2/kernel"] = Tensor(floats: weights, shape: kernel.shape)
        try Safetensors.write(kernels, metadata: metadata, to: poisoned)
        #expect {
            _ = try SpleeterWeights(contentsOf: poisoned, makeCommand: "m")
        } throws: { "\($0)".contains("accompaniment/deconv2/kernel") && "\($0)".contains("NaN or infinite") }

        // Other parameters than the network was trained with, or another kind, are refused.
        for (key, value) in [("spleeter.frame_step", "512"), ("stemtrace.kind", "musicnn")] {
            var changed = metadata
            changed[key] = value
            let url = dir.appendingPathComponent("changed.safetensors")
            try Safetensors.write(try Safetensors.decode(good), metadata: changed, to: url)
            #expect(throws: SpleeterError.self) { _ = try SpleeterWeights(contentsOf: url, makeCommand: "m") }
        }
        // Unsafe instrument names (they become file names) are refused.
        metadata["spleeter.instruments"] = "../vocals,accompaniment"
        let renamed = dir.appendingPathComponent("names.safetensors")
        try Safetensors.write(try Safetensors.decode(good), metadata: metadata, to: renamed)
        #expect { _ = try SpleeterWeights(contentsOf: renamed, makeCommand: "m") } throws: { "\($0)".contains("instruments") }
    }
}
