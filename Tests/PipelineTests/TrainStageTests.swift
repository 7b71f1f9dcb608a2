import Core
import DSP
import Foundation
import GRDB
import Inference
import Models
import TestSupport
import Testing

@testable import Pipeline
@testable import Store

/// `stemtrace train` end to end on a small store: labels that are known linear functions of the
/// tracks' musicnn embeddings (concepts) and of the concept labels (emotions); the model file
/// loads as a musicnn-linear model, `infer` with it stores exactly the head applied to the cached
/// embeddings, and the errors name what is missing.
@Suite struct TrainStageTests {
    let root: URL
    let storeURL: URL

    init() async throws {
        root = try Fixtures.temporaryDirectory("train")
        let corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for i in 0..<12 {
            try TestAudio.writeTone(corpus.appendingPathComponent("t\(i).wav"), seconds: 3.5, seed: 100 + i)
        }
        _ = try await IngestStage(options: IngestOptions(corpus: corpus, store: storeURL)).run(progressMode: .silent)
    }

    /// Embeddings through the cache, then labels: concept c = tanh(Σ_j w_cj · z_j) on the
    /// standardised embedding z (kept in [-1, 1]); arousal/valence = linear in the concepts.
    func writeLabels(
        withConcepts: Bool = true, emotions: Bool = true, constant: Bool = false, rfresnet: URL? = nil,
        noiseConcept: Int? = nil
    ) throws -> [String: [Float]] {
        let store = try Store.open(at: storeURL)
        let writer = try store.writer()
        let backbone = try LoadedModel(contentsOf: try rfresnet ?? #require(MusicnnModel.bundledWeightsURL))
        let cache = try EmbeddingCache.load(
            store: store, writer: writer, backbone: backbone, source: rfresnet == nil ? .musicnn(.penultimate) : .rfresnetTrunk,
            runId: nil, progress: .silent)
        let embeddings = Dictionary(uniqueKeysWithValues: cache.entries.map { ($0.trackId, $0.values) })
        let d = try #require(embeddings.values.first).count
        let means = (0..<d).map { j in embeddings.values.reduce(0) { $0 + Double($1[j]) } / Double(embeddings.count) }
        var rows: [LabelRecord] = []
        for (track, e) in embeddings {
            var concepts: [Double] = []
            for c in 0..<7 {
                var s = 0.0
                for j in 0..<d where (j + c) % 7 == 0 { s += (Double(e[j]) - means[j]) * (c % 2 == 0 ? 1 : -1) }
                concepts.append(constant ? 0.25 : tanh(s))
            }
            if let c = noiseConcept {
                // A label unrelated to the embedding: from the track id's first 8 hex digits.
                let bits = UInt32(track.prefix(8), radix: 16) ?? 0
                concepts[c] = Double(bits) / Double(UInt32.max) * 2 - 1
            }
            if withConcepts {
                for (name, v) in zip(RFResNet.conceptNames, concepts) { rows.append(label(track, name, v)) }
            }
            if emotions {
                rows.append(label(track, "arousal", 0.5 * concepts[0] - 0.3 * concepts[3]))
                rows.append(label(track, "valence", 0.4 * concepts[6] + 0.1))
            }
        }
        let all = rows
        try store.catalog.write { db in for r in all { try r.upsert(db) } }
        return embeddings
    }

    func label(_ track: String, _ name: String, _ v: Double) -> LabelRecord {
        LabelRecord(
            trackId: track, name: name, value: v, rawValue: v, scaleMin: -1, scaleMax: 1, source: "test", createdAt: "now")
    }

    @Test func trainedModelWorksWithInferAndCarriesItsReport() throws {
        let embeddings = try writeLabels()
        var stage = TrainStage(store: storeURL, output: root.appendingPathComponent("head.safetensors"))
        stage.folds = 3
        let summary = try stage.run(progressMode: .silent)
        #expect(summary.embeddingsComputed == 0, "the embeddings were cached by the first pass")
        #expect(summary.withoutEmbedding.isEmpty)
        #expect(summary.midlevel.targets.map(\.name) == RFResNet.conceptNames)
        #expect(summary.emotion.targets.map(\.name) == ["arousal", "valence"])
        #expect(summary.midlevel.targets.allSatisfy { $0.rmseMean.isFinite && $0.rmse.count == 3 })
        // valence is exactly linear in concept 6, which the mid-level layer predicts.
        let loaded = try LoadedModel(contentsOf: summary.modelURL)
        #expect(loaded.kind == .musicnnLinear && loaded.metadata["report"]?.contains("midlevel") == true)
        let head = try MusicnnLinearModel(loaded)
        let described = try ModelDescription(contentsOf: summary.modelURL)
        #expect(described.id == loaded.id && described.kind == "musicnn-linear" && described.values == 7 * 200 + 7 + 14 + 2)
        #expect(described.reports?["midlevel"] == summary.midlevel && described.reports?["emotion"] == summary.emotion)
        #expect(described.text().contains(summary.midlevel.table()) && described.metadata["report"] == nil)
        let infer = try InferStage(store: storeURL, model: summary.modelURL).run(progressMode: .silent)
        #expect(infer.inferred == 12)
        let predictions = try Store.open(at: storeURL).catalog.read { db in
            try PredictionRecord.filter(Column("model_id") == loaded.id).fetchAll(db)
        }
        #expect(predictions.count == 12 * 9)
        for p in predictions where p.name == "valence" {
            let r = head.predict(embedding: try #require(embeddings[p.trackId]))
            #expect(Float(p.value) == r.output[1])
        }
        let effects = try Store.open(at: storeURL).catalog.read { db in
            try EffectRecord.filter(Column("model_id") == loaded.id).fetchCount(db)
        }
        #expect(effects == 12 * 14)
    }

    /// A concept the embedding cannot predict (cross-validated R² ≤ 0) becomes exactly its
    /// training mean, and the emotion layer gives it weight 0; `keepUnlearnedConcepts` keeps the
    /// shrunk fit, whose small remainder the emotion layer then uses.
    @Test func aConceptTheEmbeddingCannotPredictBecomesItsMean() throws {
        _ = try writeLabels(noiseConcept: 5)
        var stage = TrainStage(store: storeURL, output: root.appendingPathComponent("constant.safetensors"))
        stage.folds = 3
        let summary = try stage.run(progressMode: .silent)
        let unlearned = summary.midlevel.targets.enumerated().filter { ($0.element.r2Mean ?? 0) <= 0 }.map(\.offset)
        #expect(unlearned.contains(5), "the noise label is not predicted: \(summary.midlevel.targets[5].r2Mean ?? .nan)")
        #expect(summary.constantConcepts == unlearned.map { RFResNet.conceptNames[$0] })
        let loaded = try LoadedModel(contentsOf: summary.modelURL)
        #expect(loaded.metadata["constant_concepts"] == CanonicalJSON.string(summary.constantConcepts))
        let conceptWeights = try #require(loaded.tensors["concepts.weight"]).floats()
        let conceptBias = try #require(loaded.tensors["concepts.bias"]).floats()
        let outputWeights = try #require(loaded.tensors["output.weight"]).floats()
        let d = conceptWeights.count / 7
        let labels = try Store.open(at: storeURL).catalog.labels().filter { $0.name == RFResNet.conceptNames[5] }
        let mean = labels.reduce(0) { $0 + $1.value } / Double(labels.count)
        #expect(conceptWeights[(5 * d)..<(6 * d)].allSatisfy { $0 == 0 })
        #expect(abs(Double(conceptBias[5]) - mean) < 1e-6)
        #expect(outputWeights[5] == 0 && outputWeights[7 + 5] == 0, "a constant concept has no effect on an emotion")
        #expect(conceptWeights[(0 * d)..<(1 * d)].contains { $0 != 0 }, "a learned concept keeps its fit")

        stage.keepUnlearnedConcepts = true
        stage.output = root.appendingPathComponent("kept.safetensors")
        let kept = try stage.run(progressMode: .silent)
        #expect(kept.constantConcepts.isEmpty)
        let keptWeights = try #require(try LoadedModel(contentsOf: kept.modelURL).tensors["concepts.weight"]).floats()
        #expect(keptWeights[(5 * d)..<(6 * d)].contains { $0 != 0 })
    }

    @Test func pooledFeaturesGiveAWiderHeadThatInferUses() throws {
        _ = try writeLabels()
        var stage = TrainStage(store: storeURL, output: root.appendingPathComponent("pooled.safetensors"))
        stage.folds = 3
        stage.backbone = .musicnn(.pooled)
        stage.groupColumn = "artist"
        let summary = try stage.run(progressMode: .silent)
        #expect(summary.ungrouped == 12, "each track without an artist counted once, in both layers' folds")
        let head = try MusicnnLinearModel(try LoadedModel(contentsOf: summary.modelURL))
        #expect(head.features == .pooled && head.embeddingSize == 1506)
        #expect(try InferStage(store: storeURL, model: summary.modelURL).run(progressMode: .silent).inferred == 12)
    }

    /// The RF-ResNet conv trunk as the backbone: the cached embedding is the pooled map `infer`
    /// computes, the file is the checkpoint with only its two linear layers replaced, and `infer`
    /// with it stores the fitted layers applied to that embedding, biases included.
    @Test func rfresnetTrunkBackboneWritesACheckpointThatInferRunsOnTheSameEmbedding() throws {
        let checkpoint = Fixtures.url("rfresnet/weights.safetensors")
        let embeddings = try writeLabels(rfresnet: checkpoint)
        let original = try Safetensors.read(contentsOf: checkpoint)
        let trunk = try RFResNet(weights: original)
        let store = try Store.open(at: storeURL)
        let spectrogram = try #require(try store.catalog.arrays(kind: "logfiltspec").first)
        let t = try store.read(spectrogram)
        let input = Spectrogram(bandCount: t.shape[0], frameCount: t.shape[1], values: try t.floats()).modelInput()
        let direct = try trunk.forward(FeatureMap(batch: 1, channels: 1, height: 149, width: 1252, values: input.values))
        #expect(direct.pooled == embeddings[spectrogram.trackId], "the cache holds exactly the pooled stage-3 map")

        var stage = TrainStage(store: storeURL, output: root.appendingPathComponent("rfresnet-trained.safetensors"))
        stage.folds = 3
        stage.backbone = .rfresnet(checkpoint: checkpoint)
        let summary = try stage.run(progressMode: .silent)
        #expect(summary.embeddingsComputed == 0 && summary.midlevel.targets.count == 7)
        let loaded = try LoadedModel(contentsOf: summary.modelURL)
        #expect(loaded.kind == .rfresnet && loaded.metadata["embedding"] == "rfresnet-pooled")
        #expect(loaded.metadata["report"]?.contains("midlevel") == true)
        let heads: Set = ["concepts_layer.2.weight", "concepts_layer.2.bias", "feed_forward.weight", "feed_forward.bias"]
        #expect(Set(loaded.tensors.keys) == Set(original.keys).union(heads))
        for (key, tensor) in original where !heads.contains(key) {
            #expect(loaded.tensors[key] == tensor, "\(key) is the checkpoint's")
        }
        let w1 = try #require(loaded.tensors["concepts_layer.2.weight"]).floats()
        let b1 = try #require(loaded.tensors["concepts_layer.2.bias"]).floats()
        #expect(b1.contains { $0 != 0 }, "the fitted layer has an intercept")

        #expect(try InferStage(store: storeURL, model: summary.modelURL).run(progressMode: .silent).inferred == 12)
        let predictions = try store.catalog.read { db in
            try PredictionRecord.filter(Column("model_id") == loaded.id && Column("kind") == "concept").fetchAll(db)
        }
        #expect(predictions.count == 12 * 7)
        for p in predictions {
            let e = try #require(embeddings[p.trackId])
            let c = try #require(RFResNet.conceptNames.firstIndex(of: p.name))
            let expected = (0..<e.count).reduce(Double(b1[c])) { $0 + Double(w1[c * e.count + $1]) * Double(e[$1]) }
            #expect(abs(p.value - expected) <= 1e-4 * max(1, abs(expected)), "\(p.name)")
        }
    }

    /// A store ingested with another front end (12 bands per octave) has no input the RF-ResNet
    /// takes: training says so, with the reason, instead of only "no track has an embedding".
    @Test func anRFResNetBackboneOnAnotherFrontEndSaysWhyNoEmbeddingExists() async throws {
        let corpus = root.appendingPathComponent("corpus")
        let other = root.appendingPathComponent("store-12")
        var options = IngestOptions(corpus: corpus, store: other)
        options.frontEnd.spectrogram.bandsPerOctave = 12
        _ = try await IngestStage(options: options).run(progressMode: .silent)
        let store = try Store.open(at: other)
        let tracks = try store.catalog.read { db in try String.fetchAll(db, sql: "SELECT id FROM tracks") }
        try store.catalog.write { db in
            for t in tracks {
                for name in RFResNet.conceptNames + RFResNet.outputNames { try label(t, name, 0.1).upsert(db) }
            }
        }
        var stage = TrainStage(store: other, output: root.appendingPathComponent("x.safetensors"))
        stage.backbone = .rfresnet(checkpoint: Fixtures.url("rfresnet/weights.safetensors"))
        #expect { _ = try stage.run(progressMode: .silent) } throws: {
            "\($0)".contains("no embedding could be computed (12 excerpts failed)") && "\($0)".contains("149 bands")
        }
    }

    @Test func anRFResNetBackboneMustBeAnRFResNetCheckpoint() throws {
        _ = try writeLabels()
        var stage = TrainStage(store: storeURL, output: root.appendingPathComponent("x.safetensors"))
        stage.backbone = .rfresnet(checkpoint: try #require(MusicnnModel.bundledWeightsURL))
        #expect { _ = try stage.run(progressMode: .silent) } throws: { "\($0)".contains("not an RF-ResNet checkpoint") }
    }

    @Test func missingOrUnusableLabelsAreNamed() throws {
        var stage = TrainStage(store: storeURL, output: root.appendingPathComponent("x.safetensors"))
        stage.folds = 3
        #expect(throws: PipelineError.self) { _ = try stage.run(progressMode: .silent) }  // no labels at all
        _ = try writeLabels(withConcepts: false)
        #expect { _ = try stage.run(progressMode: .silent) } throws: { "\($0)".contains("all 7 mid-level labels") }
        _ = try writeLabels(constant: true)
        #expect { _ = try stage.run(progressMode: .silent) } throws: { "\($0)".contains("constant") }
        stage.folds = 7
        _ = try writeLabels()
        #expect { _ = try stage.run(progressMode: .silent) } throws: { "\($0)".contains("14") || "\($0)".contains("rows") }
    }
}
