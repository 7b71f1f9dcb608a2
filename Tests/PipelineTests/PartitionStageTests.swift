import Core
import Foundation
import GRDB
import Inference
import Models
import Separation
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `--partition k/N` on infer, tag, explain and the embedding cache: only the partition's
/// excerpts are touched, the rest are counted as outside, and the partitions together cover all.
@Suite struct PartitionStageTests {
    let root: URL
    let storeURL: URL
    /// Every stored excerpt's track, by excerpt id.
    let trackOf: [Int64: String]
    let first: Partition
    let second: Partition

    /// Five short tones with bandsplit stems.
    init() async throws {
        root = try Fixtures.temporaryDirectory("partition-stages")
        let corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for seed in 1...5 {
            try TestAudio.writeTone(corpus.appendingPathComponent("t\(seed).wav"), seconds: 4, seed: 80 + seed)
        }
        let ingest = try await IngestStage(
            options: IngestOptions(corpus: corpus, store: storeURL), separator: BandsplitSeparator()
        )
        .run(progressMode: .silent)
        #expect(ingest.counts.succeeded == 5)
        trackOf = try Store.open(at: storeURL).catalog.read { db in
            Dictionary(uniqueKeysWithValues: try ExcerptRecord.fetchAll(db).compactMap { e in e.id.map { ($0, e.trackId) } })
        }
        first = try Partition(parsing: "0/2")
        second = try Partition(parsing: "1/2")
    }

    /// The excerpt ids whose track is in `p`; both halves must be non-empty for a test to mean anything.
    func excerpts(in p: Partition) throws -> Set<Int64> {
        let ids = Set(trackOf.filter { p.contains(trackId: $0.value) }.keys)
        try #require(!ids.isEmpty && ids.count < trackOf.count, "the tones must fall in both halves")
        return ids
    }

    /// The trained-head path of infer (musicnn embeddings, then two linear layers) with a partition.
    @Test func inferWithATrainedHeadRunsOnlyThePartitionsExcerpts() throws {
        let mine = try excerpts(in: second)
        let d = MusicnnModel.penultimateSize
        let head = try MusicnnLinearModel(
            conceptNames: RFResNet.conceptNames, outputNames: RFResNet.outputNames,
            conceptWeights: (0..<(7 * d)).map { Float($0 % 13) / 100 - 0.06 }, conceptBias: [Float](repeating: 0.1, count: 7),
            outputWeights: (0..<14).map { Float($0) / 14 - 0.5 }, outputBias: [0, 0])
        let url = root.appendingPathComponent("head.safetensors")
        try Safetensors.write(head.tensors(), metadata: ["embedding": "penultimate"], to: url)
        let summary = try InferStage(store: storeURL, model: url, partition: second).run(progressMode: .silent)
        #expect(summary.inferred == mine.count && summary.outsidePartition == trackOf.count - mine.count)
        let predicted = try Store.open(at: storeURL).catalog.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT excerpt_id FROM predictions"))
        }
        #expect(predicted == mine)
        let rest = try InferStage(store: storeURL, model: url, partition: first).run(progressMode: .silent)
        #expect(rest.inferred == trackOf.count - mine.count)
    }

    @Test func inferRunsOnlyThePartitionsExcerptsAndTheHalvesTogetherCoverAll() throws {
        let weights = Fixtures.url("rfresnet/weights.safetensors")
        let mine = try excerpts(in: first)
        let summary = try InferStage(store: storeURL, model: weights, batchSize: 2, partition: first).run(progressMode: .silent)
        #expect(summary.inferred == mine.count && summary.excerpts == mine.count && summary.skipped == 0)
        #expect(summary.outsidePartition == trackOf.count - mine.count)
        let store = try Store.open(at: storeURL)
        let predicted = try store.catalog.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT excerpt_id FROM predictions"))
        }
        #expect(predicted == mine)
        let run = try #require(try store.catalog.runs().last)
        #expect(run.command == "infer" && run.parameters.contains(#""partition":"0/2""#) && run.processed == mine.count)

        let other = try InferStage(store: storeURL, model: weights, partition: second).run(progressMode: .silent)
        #expect(other.inferred == trackOf.count - mine.count && other.skipped == 0)
        let all = try InferStage(store: storeURL, model: weights).run(progressMode: .silent)
        #expect(all.inferred == 0 && all.skipped == trackOf.count && all.outsidePartition == 0)
    }

    @Test func tagTagsOnlyThePartitionsTracks() throws {
        let mine = Set(try excerpts(in: second).compactMap { trackOf[$0] })
        let summary = try TagStage(store: storeURL, top: 2, partition: second).run(progressMode: .silent)
        #expect(summary.tagged == mine.count && summary.failures.isEmpty)
        #expect(summary.outsidePartition == trackOf.count - mine.count)
        let tagged = try Store.open(at: storeURL).catalog.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT track_id FROM tags WHERE source LIKE 'musicnn:%'"))
        }
        #expect(tagged == mine)
    }

    @Test func explainExplainsOnlyThePartitionsExcerptsUnderOneConfigId() async throws {
        let mine = try excerpts(in: first)
        var settings = ExplainSettings()
        settings.targets = .midlevel
        let summary = try await ExplainStage(store: storeURL, model: BandEnergyModel(), settings: settings, partition: first)
            .run(progressMode: .silent)
        #expect(summary.explained == mine.count && summary.failures.isEmpty)
        #expect(summary.outsidePartition == trackOf.count - mine.count)
        let explained = try Store.open(at: storeURL).catalog.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT excerpt_id FROM explanations"))
        }
        #expect(explained == mine)
        let other = try await ExplainStage(store: storeURL, model: BandEnergyModel(), settings: settings, partition: second)
            .run(progressMode: .silent)
        #expect(other.explained == trackOf.count - mine.count && other.skipped == 0)
        #expect(other.configId == summary.configId, "a partition does not change the config, so the stores merge")
    }

    @Test func theEmbeddingCacheComputesOnlyThePartitionsEmbeddings() throws {
        let mine = try excerpts(in: second)
        let store = try Store.open(at: storeURL)
        let writer = try store.writer()
        let backbone = try LoadedModel(contentsOf: try #require(MusicnnModel.bundledWeightsURL))
        let half = try EmbeddingCache.load(
            store: store, writer: writer, backbone: backbone, partition: second, runId: nil, progress: .silent)
        #expect(Set(half.entries.map(\.excerptId)) == mine && half.computed == mine.count)
        #expect(half.outsidePartition == trackOf.count - mine.count)
        let all = try EmbeddingCache.load(store: store, writer: writer, backbone: backbone, runId: nil, progress: .silent)
        #expect(all.entries.count == trackOf.count && all.computed == trackOf.count - mine.count)
    }
}
