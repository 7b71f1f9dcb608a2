import AudioIO
import Foundation
import GRDB
import Separation
import TestSupport
import Testing

@testable import Pipeline
@testable import Store

/// `StoreMerge`: two stores that share a piece (ingested with imported stems and explained with
/// the band-energy model) merge into one that holds each track, array and result once, with
/// every id translated; merging again adds nothing; a corrupt source record stops the merge
/// without damaging the destination.
@Suite struct StoreMergeTests {
    let root: URL
    let first: URL
    let second: URL

    init() async throws {
        root = try Fixtures.temporaryDirectory("merge")
        first = root.appendingPathComponent("first")
        second = root.appendingPathComponent("second")
        for (p, name) in ["a/one", "shared/two", "b/three"].enumerated() {
            try TestAudio.writePiece(
                root.appendingPathComponent(name),
                stems: [
                    ("bass", TestAudio.sines([60, 110], gain: 0.3, seconds: 2, phase: Double(p))),
                    ("hats", TestAudio.sines([7000, 9500], gain: 0.1, seconds: 2, phase: Double(p))),
                ])
        }
        for (store, corpora) in [(first, ["a", "shared"]), (second, ["shared", "b"])] {
            for corpus in corpora {
                var options = IngestOptions(corpus: root.appendingPathComponent(corpus), store: store)
                options.mixturesOnly = true
                _ = try await IngestStage(options: options, separator: ImportedStemsSeparator()).run(progressMode: .silent)
            }
            _ = try await ExplainStage(store: store, model: BandEnergyModel(), settings: ExplainSettings()).run(
                progressMode: .silent)
        }
        let labelled = try Store.open(at: second)
        let tracks = try labelled.catalog.read { db in try String.fetchAll(db, sql: "SELECT id FROM tracks") }
        try labelled.catalog.write { db in
            for t in tracks {
                try LabelRecord(
                    trackId: t, name: "arousal", value: 0.5, rawValue: 0.5, scaleMin: -1, scaleMax: 1, source: "test",
                    createdAt: "now"
                ).upsert(db)
            }
        }
    }

    /// The content keys of a store's rows, per table: what must be the union after a merge.
    func keys(_ url: URL) throws -> [String: Set<String>] {
        let store = try Store.open(at: url)
        return try store.catalog.read { db in
            [
                "tracks": Set(try String.fetchAll(db, sql: "SELECT id FROM tracks")),
                "sources": Set(try String.fetchAll(db, sql: "SELECT path || '|' || track_id FROM track_sources")),
                "excerpts": Set(try String.fetchAll(db, sql: "SELECT track_id || '|' || config_hash FROM excerpts")),
                "arrays": Set(
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT a.track_id || '|' || coalesce(e.config_hash, '') || '|' || a.kind || '|' || a.name || '|'
                            || a.producer || '|' || a.config_hash || '|' || a.checksum
                            FROM arrays a LEFT JOIN excerpts e ON e.id = a.excerpt_id
                            """)),
                "explanations": Set(
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT x.config_id || '|' || x.track_id || '|' || x.target || '|' || x.prediction || '|'
                            || a.checksum FROM explanations x JOIN arrays a ON a.id = x.predictions_array
                            """)),
                "weights": Set(
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT x.config_id || '|' || x.track_id || '|' || x.target || '|' || w.source || '|' || w.weight
                            FROM explanation_weights w JOIN explanations x ON x.id = w.explanation_id
                            """)),
                "chains": Set(
                    try String.fetchAll(
                        db, sql: "SELECT config_id || '|' || track_id || '|' || output || '|' || concept FROM explanation_chains")
                ),
                "labels": Set(try String.fetchAll(db, sql: "SELECT track_id || '|' || name FROM labels")),
                "separators": Set(try String.fetchAll(db, sql: "SELECT id FROM separators")),
                "configs": Set(try String.fetchAll(db, sql: "SELECT id FROM explanation_configs")),
            ]
        }
    }

    @Test func mergedStoreHoldsTheUnionOnceAndMergingAgainAddsNothing() throws {
        let merged = root.appendingPathComponent("merged")
        let destination = try Store.open(at: merged, create: true)
        let writer = try destination.writer()
        let a = try StoreMerge(from: try Store.open(at: first), into: writer).run()
        let b = try StoreMerge(from: try Store.open(at: second), into: writer).run()
        #expect(a.tracksAdded == 2 && a.tracksPresent == 0)
        #expect(b.tracksAdded == 1 && b.tracksPresent == 1, "the shared piece is already there")
        #expect(b.arraysPresent > 0 && b.arraysCopied > 0 && b.bytesCopied > 0)

        let (k1, k2, km) = (try keys(first), try keys(second), try keys(merged))
        for (table, union) in k1.merging(k2, uniquingKeysWith: { $0.union($1) }) {
            #expect(km[table] == union, "\(table): the merged store holds exactly the union")
        }
        #expect(km["tracks"]?.count == 3 && km["explanations"]?.count == 9 && km["labels"]?.count == 2)
        let counts = try destination.catalog.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM explanations") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM arrays") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE command = 'explain'") ?? 0
            )
        }
        #expect(counts.0 == 9 && counts.1 == km["arrays"]?.count && counts.2 == 2, "no row twice; each explain run once")
        #expect(!(try StoreVerifier(store: destination).verify().isCorrupt))
        let merged1 = try Store.open(at: merged)
        for explanation in try merged1.catalog.read({ db in try ExplanationRecord.fetchAll(db) }) {
            let id = try #require(explanation.predictionsArray)
            let array = try #require(try merged1.catalog.read { db in try ArrayRecord.fetchOne(db, key: id) })
            #expect(array.trackId == explanation.trackId, "the translated array id points at this track's masks")
            #expect(try merged1.read(array).shape.first == 4, "2 stems: 4 masks")
        }

        let again = try StoreMerge(from: try Store.open(at: first), into: writer).run()
        #expect(again.tracksAdded == 0 && again.arraysCopied == 0)
        #expect(again.rowsAdded.values.allSatisfy { $0 == 0 }, "\(again.rowsAdded)")
        #expect(try keys(merged) == km)
    }

    /// The cluster workflow: each of N jobs ingests and explains its partition into its own
    /// store; merging them gives the store one job would have made.
    @Test func partitionStoresMergeIntoTheWholeStore() async throws {
        let corpus = root.appendingPathComponent("all")
        for piece in ["a/one", "shared/two", "b/three"] {
            let name = URL(fileURLWithPath: piece).lastPathComponent
            try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: root.appendingPathComponent(piece), to: corpus.appendingPathComponent(name))
        }
        func run(_ store: URL, _ partition: Partition?) async throws {
            var options = IngestOptions(corpus: corpus, store: store)
            options.mixturesOnly = true
            options.partition = partition
            _ = try await IngestStage(options: options, separator: ImportedStemsSeparator()).run(progressMode: .silent)
            _ = try await ExplainStage(
                store: store, model: BandEnergyModel(), settings: ExplainSettings(), partition: partition
            ).run(progressMode: .silent)
        }
        let whole = root.appendingPathComponent("whole")
        try await run(whole, nil)
        let merged = root.appendingPathComponent("from-parts")
        let writer = try Store.open(at: merged, create: true).writer()
        for k in 0..<2 {
            let part = root.appendingPathComponent("part\(k)")
            try await run(part, try Partition(index: k, count: 2))
            _ = try StoreMerge(from: try Store.open(at: part), into: writer).run()
        }
        let expected = try keys(whole)
        #expect(expected["tracks"]?.count == 3 && expected["explanations"]?.count == 9)
        #expect(try keys(merged) == expected)
    }

    @Test func aCorruptSourceRecordIsListedAndSkippedWhileTheRestIsMerged() throws {
        let source = try Store.open(at: second)
        // A record the destination will not already hold from the first store.
        let firstTracks = Set(try Store.open(at: first).catalog.arrays().map(\.trackId))
        let victim = try #require(try source.catalog.arrays(kind: "logfiltspec").last { !firstTracks.contains($0.trackId) })
        let shard = ShardFile.url(victim.shard, in: source.shardDirectory)
        let handle = try FileHandle(forUpdating: shard)
        try handle.seek(toOffset: UInt64(victim.offset) + UInt64(victim.length) - 8)
        let byte = try #require(try handle.read(upToCount: 1)).first ?? 0
        try handle.seek(toOffset: UInt64(victim.offset) + UInt64(victim.length) - 8)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()

        let merged = root.appendingPathComponent("merged-corrupt")
        let destination = try Store.open(at: merged, create: true)
        let writer = try destination.writer()
        _ = try StoreMerge(from: try Store.open(at: first), into: writer).run()
        let before = try destination.catalog.arrayCount()
        let summary = try StoreMerge(from: source, into: writer).run()
        #expect(summary.damaged.count == 1)
        #expect(summary.damaged.first?.array == victim.id && summary.damaged.first?.track == victim.trackId)
        #expect(summary.damaged.first?.reason.contains("checksum mismatch") == true)
        // Every other record of the source arrived.
        let sourceArrays = try source.catalog.arrayCount()
        #expect(summary.arraysCopied + summary.arraysPresent == sourceArrays - 1)
        #expect(try destination.catalog.arrayCount() == before + summary.arraysCopied)
        #expect(try destination.catalog.arrays(track: victim.trackId).contains { $0.kind == "mix" })
        #expect(!(try destination.catalog.arrays(track: victim.trackId).contains { $0.kind == "logfiltspec" }))
        #expect(!(try StoreVerifier(store: destination).verify().isCorrupt))
        let statuses = try destination.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT status FROM runs WHERE command = 'merge' ORDER BY id")
        }
        #expect(statuses == ["completed", "completed_with_failures"])
    }

    @Test func aSourceBeingWrittenIsRefusedAndKeepsItsWritersOutWhileMerged() throws {
        let source = try Store.open(at: first)
        let destination = try Store.open(at: root.appendingPathComponent("merged-locked"), create: true)
        let writer = try destination.writer()
        do {
            let busy = try source.writer()
            #expect { _ = try StoreMerge(from: source, into: writer).run() } throws: {
                "\($0)".contains("being written by another")
            }
            withExtendedLifetime(busy) {}
        }
        let lock = try StoreReadLock(source)
        #expect(throws: StoreError.self) { _ = try source.writer() }
        withExtendedLifetime(lock) {}
        #expect(try StoreMerge(from: source, into: writer).run().tracksAdded == 2)
    }

    @Test func aStoreCannotBeMergedIntoItself() throws {
        let store = try Store.open(at: first)
        #expect(throws: StoreError.mergeIntoItself(path: store.root.path)) {
            _ = try StoreMerge(from: store, into: try store.writer()).run()
        }
    }
}
