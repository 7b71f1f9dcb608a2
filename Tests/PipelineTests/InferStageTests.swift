import Core
import DSP
import Foundation
import GRDB
import Inference
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `stemtrace infer` over a small store with the reference RF-ResNet weights.
@Suite struct InferStageTests {
    let root: URL
    let storeURL: URL
    let weights = Fixtures.url("rfresnet/weights.safetensors")

    init() async throws {
        root = try Fixtures.temporaryDirectory("infer")
        let corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 41, seed: 51)
        try TestAudio.writeTone(corpus.appendingPathComponent("b.wav"), seconds: 7, seed: 52)
        _ = try await IngestStage(options: IngestOptions(corpus: corpus, store: storeURL)).run(progressMode: .silent)
    }

    @Test func predictionsAndEffectsAreStoredUnderTheModelHashAndMatchADirectForward() throws {
        let summary = try InferStage(store: storeURL, model: weights, batchSize: 2).run(progressMode: .silent)
        #expect(summary.inferred == 2 && summary.skipped == 0)
        let store = try Store.open(at: storeURL)
        let model = try RFResNet(weights: try Safetensors.read(contentsOf: weights))
        let predictions = try store.catalog.read { db in try PredictionRecord.fetchAll(db) }
        let effects = try store.catalog.read { db in try EffectRecord.fetchAll(db) }
        #expect(predictions.count == 2 * 9 && effects.count == 2 * 14)
        #expect(Set(predictions.map(\.modelId)) == [summary.modelId])
        for row in try store.catalog.arrays(kind: "logfiltspec") {
            let t = try store.read(row)
            let input = Spectrogram(bandCount: t.shape[0], frameCount: t.shape[1], values: try t.floats()).modelInput()
            let direct = try model.forward(FeatureMap(batch: 1, channels: 1, height: 149, width: 1252, values: input.values))
            let mine = predictions.filter { $0.excerptId == row.excerptId }
            for (i, name) in RFResNet.conceptNames.enumerated() {
                let stored = try #require(mine.first { $0.kind == "concept" && $0.name == name }).value
                #expect(abs(stored - Double(direct.concepts[i])) <= 1e-4 * max(1, abs(stored)), "\(name)")
            }
            for output in RFResNet.outputNames {
                let rows = effects.filter { $0.excerptId == row.excerptId && $0.output == output }
                #expect(rows.count == 7)
                #expect(abs(rows.reduce(0) { $0 + abs($1.relativeEffect) } - 1) < 1e-9)
                for e in rows { #expect(abs(e.effect - e.conceptValue * e.weight) < 1e-12) }
                // The output is the sum of its effects (the linear layer has no bias).
                let value = try #require(mine.first { $0.kind == "output" && $0.name == output }).value
                #expect(abs(rows.reduce(0) { $0 + $1.effect } - value) < 1e-4 * max(1, abs(value)))
            }
        }
    }

    @Test func rerunSkipsDoneExcerptsAndTheModelIsRegisteredOnce() throws {
        _ = try InferStage(store: storeURL, model: weights).run(progressMode: .silent)
        let again = try InferStage(store: storeURL, model: weights).run(progressMode: .silent)
        #expect(again.inferred == 0 && again.skipped == 2)
        let models = try Store.open(at: storeURL).catalog.read { db in try ModelRecord.fetchAll(db) }
        #expect(models.count == 1 && models[0].kind == "rfresnet" && models[0].frontEnd == "logfiltspec:149x1252")
    }

    @Test func anotherModelAddsRowsBesideTheFirst() throws {
        _ = try InferStage(store: storeURL, model: weights).run(progressMode: .silent)
        var tensors = try Safetensors.read(contentsOf: weights)
        let fw = try #require(tensors["feed_forward.weight"])
        tensors["feed_forward.weight"] = Tensor(floats: try fw.floats().map { $0 * 2 }, shape: fw.shape)
        let other = root.appendingPathComponent("other.safetensors")
        try Safetensors.write(tensors, to: other)
        let summary = try InferStage(store: storeURL, model: other).run(progressMode: .silent)
        #expect(summary.inferred == 2)
        let counts = try Store.open(at: storeURL).catalog.read { db in
            try Row.fetchAll(db, sql: "SELECT model_id, COUNT(*) AS n FROM predictions GROUP BY model_id").map { $0["n"] as Int }
        }
        #expect(counts == [18, 18])
    }

    @Test func badWeightsFailBeforeAnyWork() throws {
        var tensors = try Safetensors.read(contentsOf: weights)
        tensors.removeValue(forKey: "stage3.block1.conv2.weight")
        let broken = root.appendingPathComponent("broken.safetensors")
        try Safetensors.write(tensors, to: broken)
        #expect(throws: ModelError.missingWeight(model: "RFResNet", name: "stage3.block1.conv2.weight")) {
            try InferStage(store: storeURL, model: broken).run(progressMode: .silent)
        }
        let garbage = root.appendingPathComponent("garbage.safetensors")
        try Data("not a model".utf8).write(to: garbage)
        #expect(throws: ModelError.self) { try InferStage(store: storeURL, model: garbage).run(progressMode: .silent) }
        let store = try Store.open(at: storeURL)
        #expect(try store.catalog.runs().allSatisfy { $0.command == "ingest" }, "no infer run was started")
    }
}
