import AudioIO
import Core
import Foundation
import Store
import TestSupport
import Testing

@testable import Inference

/// musicnn weights, bundled resources, batching, the tagger API and the rectangular convolution.
@Suite struct MusicnnModelTests {
    static func bundledWeights() throws -> [String: Tensor] {
        try Safetensors.read(contentsOf: try #require(MusicnnModel.bundledWeightsURL, "bundled weights missing"))
    }

    @Test func bundledResourcesAreTheReferenceFiles() throws {
        let weights = try Self.bundledWeights()
        #expect(weights.count == 64)
        #expect(weights.values.reduce(0) { $0 + $1.count } == 792_079)
        let labelsURL = try #require(MusicnnModel.bundledFile("labels.json"))
        let labels = try JSONSerialization.jsonObject(with: Data(contentsOf: labelsURL)) as? [String]
        #expect(labels == MusicnnModel.labels)
        #expect(MusicnnModel.labels.count == MusicnnModel.tagCount)
        #expect(MusicnnFixtures.manifest["labels"] as? [String] == MusicnnModel.labels)
        let licence = try String(contentsOf: try #require(MusicnnModel.bundledFile("LICENSE")), encoding: .utf8)
        #expect(licence.contains("ISC") && licence.contains("Permission to use, copy, modify"))
    }

    @Test func missingWeightsAreNamed() throws {
        for name in ["conv2d_3/bias", "batch_normalization/moving_variance", "batch_normalization_9/gamma", "dense_1/kernel"] {
            var weights = try Self.bundledWeights()
            weights.removeValue(forKey: name)
            #expect(throws: ModelError.missingWeight(model: "musicnn", name: name)) { try MusicnnModel(weights: weights) }
        }
    }

    @Test func misshapenWeightsAreNamedWithBothShapes() throws {
        var weights = try Self.bundledWeights()
        weights["conv2d/kernel"] = Tensor(floats: [Float](repeating: 0, count: 7 * 38 * 203), shape: [7, 38, 1, 203])
        #expect(
            throws: ModelError.weightShape(
                model: "musicnn", name: "conv2d/kernel", expected: "[7, 38, 1, 204]", actual: [7, 38, 1, 203])
        ) {
            try MusicnnModel(weights: weights)
        }
        // The temporal kernels keep TF's time-first layout.
        weights = try Self.bundledWeights()
        weights["conv2d_2/kernel"] = Tensor(floats: [Float](repeating: 0, count: 128 * 51), shape: [1, 128, 1, 51])
        #expect(
            throws: ModelError.weightShape(
                model: "musicnn", name: "conv2d_2/kernel", expected: "[128, 1, 1, 51]", actual: [1, 128, 1, 51])
        ) {
            try MusicnnModel(weights: weights)
        }
        weights = try Self.bundledWeights()
        weights["batch_normalization_9/moving_mean"] = Tensor(floats: [Float](repeating: 0, count: 753), shape: [753])
        #expect(
            throws: ModelError.weightShape(
                model: "musicnn", name: "batch_normalization_9/moving_mean", expected: "[1506]", actual: [753])
        ) {
            try MusicnnModel(weights: weights)
        }
        weights = try Self.bundledWeights()
        weights["dense/kernel"] = Tensor(floats: [Float](repeating: 0, count: 1506 * 200), shape: [200, 1506])
        #expect(
            throws: ModelError.weightShape(model: "musicnn", name: "dense/kernel", expected: "[1506, 200]", actual: [200, 1506])
        ) {
            try MusicnnModel(weights: weights)
        }
        // Wrong rank or dtype.
        weights = try Self.bundledWeights()
        weights["dense_1/bias"] = Tensor(int64s: [Int64](repeating: 0, count: 50), shape: [50])
        #expect(throws: ModelError.self) { try MusicnnModel(weights: weights) }
    }

    @Test func unreadableWeightFilesNameThePath() throws {
        let directory = try Fixtures.temporaryDirectory("musicnn")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("broken.safetensors")
        try Data("not a safetensors file".utf8).write(to: url)
        #expect {
            try MusicnnModel(contentsOf: url)
        } throws: { error in
            guard case let .unreadable(path, _) = error as? ModelError else { return false }
            return path == url.path
        }
        #expect(try MusicnnModel(contentsOf: try #require(MusicnnModel.bundledWeightsURL)).outputBias.count == 50)
    }

    @Test func batchedPatchesGiveTheSameResultsAsOneAtATime() throws {
        let t = try MusicnnFixtures.tensors("synth_10s")
        let input = try MusicnnFixtures.floats(t, "input_batch")
        let model = try MusicnnFixtures.model.get()
        let batch = model.predict(try MusicnnPatches(values: input, count: 3))
        for p in 0..<3 {
            let size = MusicnnFrontEnd.patchSize
            let single = model.predict(try MusicnnPatches(values: Array(input[(p * size)..<((p + 1) * size)]), count: 1))
            let rows = (p * 50)..<((p + 1) * 50)
            #expect(zip(single.taggram, batch.taggram[rows]).allSatisfy { abs($0 - $1) <= 1e-6 })
            // Equal up to float32 rounding: BLAS may block a 1-patch and a 3-patch product differently.
            let batched = Array(batch.maxPool[(p * 753)..<((p + 1) * 753)])
            let scale = batched.map(abs).max() ?? 1
            #expect(worstDifference(single.maxPool, batched).error <= 1e-5 * scale)
        }
        // The penultimate features differ per patch (musicnn 0.1.0's extractor() would repeat patch 0).
        #expect(batch.penultimate[0..<200] != batch.penultimate[200..<400])
    }

    /// Workspaces (uninitialised column and tile buffers) outlive each `predict` and are shared
    /// by concurrent callers: another batch in between, or calls at the same time, must not
    /// change a result by a single bit.
    @Test func reusedWorkspacesLeaveNoTraceBetweenCalls() async throws {
        let t = try MusicnnFixtures.tensors("synth_10s")
        let input = try MusicnnFixtures.floats(t, "input_batch")
        let model = try MusicnnFixtures.model.get()
        let size = MusicnnFrontEnd.patchSize
        let first = model.predict(try MusicnnPatches(values: input, count: 3), threads: 2)
        let scrambled = input.map { -2 * $0 + 1 }
        _ = model.predict(try MusicnnPatches(values: Array(scrambled[0..<(2 * size)]), count: 2), threads: 2)
        let again = model.predict(try MusicnnPatches(values: input, count: 3), threads: 2)
        #expect(again.logits.map(\.bitPattern) == first.logits.map(\.bitPattern))
        #expect(again.maxPool.map(\.bitPattern) == first.maxPool.map(\.bitPattern))
        let patches = try MusicnnPatches(values: input, count: 3)
        let concurrent = await withTaskGroup(of: [Float].self) { group in
            for _ in 0..<4 { group.addTask { model.predict(patches, threads: 1).logits } }
            return await group.reduce(into: [[Float]]()) { $0.append($1) }
        }
        for logits in concurrent { #expect(logits.map(\.bitPattern) == first.logits.map(\.bitPattern)) }
    }

    @Test func tagsAreTheMeanOfThePatchProbabilitiesAndRankedByIt() throws {
        let t = try MusicnnFixtures.tensors("pad_25_3s")
        let tagger = MusicnnTagger(model: try MusicnnFixtures.model.get())
        let result = try tagger.tag(try MusicnnFixtures.audio(t))
        #expect(result.patchCount == 8)
        for i in [0, 4, 28, 49] {
            let mean = (0..<8).map { result.patchTags($0)[i] }.reduce(0, +) / 8
            #expect(abs(result.tags[i] - mean) < 1e-6)
        }
        let all = result.top(50)
        #expect(all.count == 50 && Set(all.map(\.index)).count == 50)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        #expect(result.top(0).isEmpty && result.top(3).count == 3)
        let firstPatch = result.top(1, patch: 0)
        #expect(firstPatch.first?.probability == result.patchTags(0).max())
    }

    @Test func filesAreDecodedDownmixedAndTagged() throws {
        let t = try MusicnnFixtures.tensors("chirp_3s")
        let samples = try MusicnnFixtures.audio(t)
        let tagger = MusicnnTagger(model: try MusicnnFixtures.model.get())
        let directory = try Fixtures.temporaryDirectory("musicnn")
        defer { try? FileManager.default.removeItem(at: directory) }
        // As the reference fed it: a 32-bit float WAV at 16 kHz, read back bit-exactly.
        let mono = directory.appendingPathComponent("chirp.wav").path
        try AudioWriter.write(samples, channels: 1, sampleRate: 16_000, format: .wavFloat, to: mono)
        let fromFile = try tagger.tag(contentsOf: mono)
        #expect(fromFile.tags == (try tagger.tag(samples)).tags)
        MusicnnParityTests.expectClose(fromFile.tags, try MusicnnFixtures.floats(t, "tags"), "chirp file tags", absolute: 1e-5)
        // Two identical channels average to the same mono signal.
        let stereo = zip(samples, samples).flatMap { [$0, $1] }
        let result = try tagger.tag(DecodedAudio(samples: stereo, channelCount: 2, sampleRate: 16_000))
        #expect(result.tags == fromFile.tags)
        #expect {
            try tagger.tag(contentsOf: directory.appendingPathComponent("missing.wav").path)
        } throws: { error in
            guard case .audio(.undecodable) = error as? MusicnnError else { return false }
            return true
        }
    }

    @Test func rectangularConvolutionMatchesADirectSum() {
        // Random input 9 × 11 × 3, kernel 4 × 5 × 3 × 6, asymmetric padding on all four sides.
        var state: UInt64 = 12_345
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        let (h, w, cin, cout, kh, kw) = (9, 11, 3, 6, 4, 5)
        let conv = RectangularConvolution(
            kernelHeight: kh, kernelWidth: kw, inChannels: cin, outChannels: cout, padTop: 1, padBottom: 2, padLeft: 3,
            padRight: 0)
        let input = (0..<(h * w * cin)).map { _ in next() }
        let kernel = (0..<conv.weightCount).map { _ in next() }
        let output = conv.apply(input, height: h, width: w, weights: kernel)
        let hOut = conv.outputHeight(h)
        let wOut = conv.outputWidth(w)
        #expect(hOut == 9 + 3 - 4 + 1 && wOut == 11 + 3 - 5 + 1)
        var worst: Double = 0
        for oy in 0..<hOut {
            for ox in 0..<wOut {
                for o in 0..<cout {
                    var sum: Double = 0
                    for dy in 0..<kh {
                        for dx in 0..<kw {
                            let iy = oy + dy - 1
                            let ix = ox + dx - 3
                            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                            for c in 0..<cin {
                                sum +=
                                    Double(input[(iy * w + ix) * cin + c]) * Double(kernel[((dy * kw + dx) * cin + c) * cout + o])
                            }
                        }
                    }
                    worst = max(worst, abs(sum - Double(output[(oy * wOut + ox) * cout + o])))
                }
            }
        }
        #expect(worst < 1e-5, "worst \(worst)")
        // Tiling does not change the result.
        let scratch = RectangularConvolution.Scratch(conv, height: h, width: w, rowsPerTile: 2)
        var tiled = [Float](repeating: .nan, count: output.count)
        input.withUnsafeBufferPointer { x in
            kernel.withUnsafeBufferPointer { k in
                tiled.withUnsafeMutableBufferPointer { y in
                    conv.forEachTile(
                        input: x.baseAddress!, height: h, width: w, weights: k.baseAddress!, rowsPerTile: 2, scratch: scratch
                    ) { row0, rows, tile in
                        (y.baseAddress! + row0 * wOut * cout).update(from: tile, count: rows * wOut * cout)
                    }
                }
            }
        }
        #expect(tiled == output)
        #expect(RectangularConvolution.samePadding(128) == (63, 64))
        #expect(RectangularConvolution.samePadding(7) == (3, 3))
    }
}
