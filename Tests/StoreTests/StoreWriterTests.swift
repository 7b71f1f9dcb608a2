import Core
import Foundation
import GRDB
import Testing

@testable import Store

/// The single store writer: committing tracks and reading them back, content-keyed
/// deduplication, the writer lock, run bookkeeping and shard rotation.
@Suite struct StoreWriterTests {
    typealias T = StoreTestData
    let stores = TemporaryStores()

    @Test func committedArraysReadBackBitExactly() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        let run = try writer.beginRun(command: "ingest", parameters: "{}", configHash: "cfg-a")
        let f64 = try T.doubles((0..<30).map { Double($0) / 7 }, shape: [5, 6])
        let arrays: [(kind: String, tensor: Tensor)] =
            T.standardArrays(1) + [
                ("frame_index", Tensor(int64s: (0..<50).map { Int64($0 * 8) }, shape: [50])),
                ("norm_peak", Tensor(floats: [0.875], shape: [])),
                ("empty", Tensor(floats: [], shape: [0, 4])),
                ("weights", f64),
            ]
        let outcome = try writer.commit([try T.pending(track: 1, runId: run, arrays: arrays)], runId: run)
        #expect(outcome.stored == [T.trackID(1)] && outcome.duplicates.isEmpty)

        let rows = try store.catalog.arrays(track: T.trackID(1))
        #expect(rows.map(\.kind) == arrays.map(\.kind), "one row per array, in commit order")
        for (row, expected) in zip(rows, arrays) {
            let back = try store.read(row)
            #expect(back == expected.tensor, "\(row.kind) differs after the round trip")
            #expect(row.dimensions == expected.tensor.shape)
            #expect(row.dtype == expected.tensor.dtype.rawValue)
            #expect(row.rawLength == expected.tensor.bytes.count)
            #expect(row.runId == run && row.producer == "test" && row.configHash == "cfg-a")
            #expect(row.excerptId != nil)
        }
        let spec = try store.read(try #require(try store.catalog.arrays(kind: "logfiltspec").first))
        #expect(try spec.floats() == T.noiseFloats(120, seed: 8))
    }

    @Test func rowsRecordTheSerializedRecordPlacementAndChecksum() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        let pending = try T.pending(track: 2, arrays: T.standardArrays(2))
        _ = try writer.commit([pending], runId: nil)
        let rows = try store.catalog.arrays()
        var expectedOffset: Int64 = 0
        for (row, array) in zip(rows, pending.arrays) {
            #expect(row.shard == 1 && row.offset == expectedOffset)
            #expect(row.length == array.record.totalLength)
            #expect(row.codec == "lz4-frame" && row.filter == array.record.filter.name)
            #expect(row.checksum == String(format: "%016llx", array.record.payloadChecksum))
            let onDisk = try ShardFile.read(row.shard, in: store.shardDirectory, offset: row.offset, length: row.length)
            #expect(onDisk == array.record.serialized())
            expectedOffset += Int64(row.length)
        }
        #expect(try T.fileSize(T.shardURL(store, 1)) == expectedOffset, "nothing but the records is in the shard")
    }

    @Test func readsSurviveReopeningTheStore() throws {
        let root = try stores.directory()
        let tensors = T.standardArrays(3)
        do {
            let store = try Store.open(at: root, create: true)
            _ = try store.writer().commit([try T.pending(track: 3, arrays: tensors)], runId: nil)
        }
        let reopened = try Store.open(at: root)
        let back = try reopened.catalog.arrays().map { try reopened.read($0) }
        #expect(back == tensors.map(\.tensor))
    }

    @Test func sameTrackAndConfigInOneBatchIsStoredOnceWithADuplicateSource() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        let first = try T.pending(track: 4, path: "/a/song.wav", arrays: T.standardArrays(4))
        let copy = try T.pending(track: 4, path: "/b/copy-of-song.flac", arrays: T.standardArrays(4))
        let outcome = try writer.commit([first, copy], runId: nil)
        #expect(outcome.stored == [T.trackID(4)])
        #expect(outcome.duplicates == ["/b/copy-of-song.flac"])

        #expect(try store.catalog.arrays().count == 2, "arrays stored once")
        let shardBytes = first.arrays.reduce(0) { $0 + $1.record.totalLength }
        #expect(try T.fileSize(T.shardURL(store, 1)) == Int64(shardBytes), "the duplicate appended nothing")
        let (tracks, sources, excerpts) = try store.catalog.read { db in
            (
                try TrackRecord.fetchCount(db), try TrackSourceRecord.order(Column("path")).fetchAll(db),
                try ExcerptRecord.fetchCount(db)
            )
        }
        #expect(tracks == 1 && excerpts == 1)
        #expect(sources.map(\.path) == ["/a/song.wav", "/b/copy-of-song.flac"])
        #expect(sources.allSatisfy { $0.trackId == T.trackID(4) })
    }

    @Test func sameTrackAndConfigAcrossBatchesIsStoredOnceWithADuplicateSource() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        _ = try writer.commit([try T.pending(track: 5, path: "/a/x.wav", arrays: T.standardArrays(5))], runId: nil)
        let sizeAfterFirst = try T.fileSize(T.shardURL(store, 1))
        let outcome = try writer.commit([try T.pending(track: 5, path: "/b/x.wav", arrays: T.standardArrays(5))], runId: nil)
        #expect(outcome.stored.isEmpty && outcome.duplicates == ["/b/x.wav"])
        #expect(try store.catalog.arrays().count == 2)
        #expect(try T.fileSize(T.shardURL(store, 1)) == sizeAfterFirst)
        let sources = try store.catalog.read { db in try TrackSourceRecord.fetchAll(db) }
        #expect(Set(sources.map(\.path)) == ["/a/x.wav", "/b/x.wav"])
        #expect(
            try store.catalog.isCurrentSource(path: "/b/x.wav", fileSize: 5_292_044, mtime: 1_700_000_000.5, configHash: "cfg-a"))
        #expect(
            try !store.catalog.isCurrentSource(
                path: "/b/x.wav", fileSize: 5_292_045, mtime: 1_700_000_000.5, configHash: "cfg-a"),
            "a changed file size is not current")
        #expect(
            try !store.catalog.isCurrentSource(path: "/b/x.wav", fileSize: 5_292_044, mtime: 1_700_000_000.5, configHash: "cfg-b")
        )
    }

    @Test func sameTrackWithAnotherConfigGetsASecondExcerptButOneTrackRow() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        _ = try writer.commit([try T.pending(track: 6, configHash: "cfg-a", arrays: T.standardArrays(6))], runId: nil)
        let other = T.standardArrays(60)
        let outcome = try writer.commit([try T.pending(track: 6, configHash: "cfg-b", arrays: other)], runId: nil)
        #expect(outcome.stored == [T.trackID(6)] && outcome.duplicates.isEmpty)

        let (tracks, excerpts) = try store.catalog.read { db in
            (try TrackRecord.fetchCount(db), try ExcerptRecord.order(Column("id")).fetchAll(db))
        }
        #expect(tracks == 1)
        #expect(excerpts.map(\.configHash) == ["cfg-a", "cfg-b"])
        #expect(try store.catalog.hasExcerpt(track: T.trackID(6), configHash: "cfg-b"))
        #expect(try !store.catalog.hasExcerpt(track: T.trackID(6), configHash: "cfg-c"))
        let rows = try store.catalog.arrays()
        #expect(rows.count == 4)
        let second = rows.filter { $0.configHash == "cfg-b" }
        #expect(Set(second.map(\.excerptId)) == [excerpts[1].id], "new arrays hang off the new excerpt")
        #expect(try second.map { try store.read($0) } == other.map(\.tensor), "the earlier arrays are not overwritten")
    }

    @Test func sameTrackWithTwoConfigsInOneBatchInsertsTheTrackOnce() throws {
        let store = try stores.fresh()
        let outcome = try store.writer().commit(
            [
                try T.pending(track: 7, configHash: "cfg-a", arrays: T.standardArrays(7)),
                try T.pending(track: 7, configHash: "cfg-b", arrays: T.standardArrays(70)),
            ], runId: nil)
        #expect(outcome.stored == [T.trackID(7), T.trackID(7)])
        #expect(try store.catalog.read { db in try TrackRecord.fetchCount(db) } == 1)
        #expect(try store.catalog.arrays().count == 4)
    }

    @Test func secondWriterIsLockedOutUntilTheFirstIsReleased() throws {
        let store = try stores.fresh()
        let sameDirectory = try Store.open(at: store.root)
        var first: StoreWriter? = try store.writer()
        withExtendedLifetime(first) {
            #expect(throws: StoreError.locked(path: store.root.path)) { _ = try store.writer() }
            #expect(throws: StoreError.locked(path: store.root.path), "another Store value on the same directory") {
                _ = try sameDirectory.writer()
            }
        }
        first = nil
        let second = try store.writer()
        #expect(try second.commit([try T.pending(track: 8, arrays: T.standardArrays(8))], runId: nil).stored.count == 1)
    }

    @Test func runLeftRunningIsMarkedInterruptedWhenTheNextWriterOpens() throws {
        let store = try stores.fresh()
        var counts = RunCounts()
        counts.processed = 3
        counts.succeeded = 2
        counts.failed = 1
        do {
            let writer = try store.writer()
            let done = try writer.beginRun(command: "ingest", parameters: "{\"n\":1}", configHash: "cfg-a")
            try writer.updateRun(done, counts: counts, status: "completed_with_failures")
            _ = try writer.beginRun(command: "ingest", parameters: "{\"n\":2}", configHash: "cfg-a")
            #expect(try store.catalog.runs().map(\.status) == ["completed_with_failures", "running"])
        }
        _ = try store.writer()
        let runs = try store.catalog.runs()
        #expect(runs.map(\.status) == ["completed_with_failures", "interrupted"])
        #expect(runs[0].finishedAt != nil && runs[1].finishedAt == nil)
        #expect(runs[0].processed == 3 && runs[0].succeeded == 2 && runs[0].failed == 1)
    }

    @Test func updateRunWithoutStatusKeepsItRunning() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        let run = try writer.beginRun(command: "ingest", parameters: "{}", configHash: nil)
        var counts = RunCounts()
        counts.duplicates = 4
        try writer.updateRun(run, counts: counts)
        let row = try #require(try store.catalog.runs().first)
        #expect(row.status == "running" && row.finishedAt == nil && row.duplicates == 4)
    }

    @Test func failuresAreRecordedWithTheirRun() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        let run = try writer.beginRun(command: "ingest", parameters: "{}", configHash: nil)
        _ = try writer.commit([], failures: [RunFailureRecord(runId: run, path: "/bad.ogg", reason: "truncated")], runId: run)
        let failures = try store.catalog.failures(run: run)
        #expect(failures.map(\.path) == ["/bad.ogg"] && failures.map(\.reason) == ["truncated"])
    }

    @Test func tinyShardLimitRotatesShardsAndEveryRecordReadsBack() throws {
        let store = try stores.fresh()
        let writer = try store.writer(shardLimit: 1000)
        var expected: [Tensor] = []
        for n in 0..<6 {
            // ~400 incompressible bytes each: two fit in one 1000-byte shard, three do not.
            let arrays: [(kind: String, tensor: Tensor)] = [
                ("a", Tensor(floats: T.noiseFloats(100, seed: UInt64(2 * n + 1)), shape: [100])),
                ("b", Tensor(floats: T.noiseFloats(100, seed: UInt64(2 * n + 2)), shape: [10, 10])),
            ]
            expected += arrays.map(\.tensor)
            _ = try writer.commit([try T.pending(track: 100 + n, arrays: arrays)], runId: nil)
        }
        let rows = try store.catalog.arrays()
        #expect(try rows.map { try store.read($0) } == expected)
        let shards = ShardFile.list(in: store.shardDirectory)
        #expect(shards.count >= 4, "12 records of ~450 bytes need at least 6 shards of 1000 bytes, got \(shards)")
        #expect(Set(rows.map(\.shard)) == Set(shards))
        #expect(shards == Array(1...shards.count), "shards are numbered consecutively")
        for shard in shards {
            #expect(try T.fileSize(T.shardURL(store, shard)) <= 1000, "\(ShardFile.name(shard))")
        }
    }

    @Test func recordLargerThanTheShardLimitGetsAShardOfItsOwn() throws {
        let store = try stores.fresh()
        let writer = try store.writer(shardLimit: 1000)
        let big = Tensor(floats: T.noiseFloats(1000, seed: 5), shape: [1000])
        let small = Tensor(floats: [1, 2, 3], shape: [3])
        let bigger = Tensor(floats: T.noiseFloats(2000, seed: 6), shape: [2000])
        _ = try writer.commit(
            [try T.pending(track: 9, arrays: [("big", big), ("small", small), ("bigger", bigger)])], runId: nil)
        let rows = try store.catalog.arrays()
        #expect(rows.map(\.shard) == [1, 2, 3], "an oversized record starts in the empty first shard; no empty shard is skipped")
        #expect(rows.map(\.offset) == [0, 0, 0])
        #expect(rows[0].length > 1000 && rows[2].length > 1000)
        #expect(ShardFile.list(in: store.shardDirectory) == [1, 2, 3])
        #expect(try rows.map { try store.read($0) } == [big, small, bigger])
    }

    @Test func reopenedWriterAppendsAfterTheLastRecordOfTheNewestShard() throws {
        let store = try stores.fresh()
        let noise = (1...3).map { Tensor(floats: T.noiseFloats(100, seed: UInt64($0)), shape: [100]) }
        do {
            let writer = try store.writer(shardLimit: 1000)
            for (n, tensor) in noise.enumerated() {
                _ = try writer.commit([try T.pending(track: 20 + n, arrays: [("a", tensor)])], runId: nil)
            }
        }
        let small = Tensor(floats: [1, 2], shape: [2])
        _ = try store.writer(shardLimit: 1000).commit([try T.pending(track: 30, arrays: [("a", small)])], runId: nil)
        let rows = try store.catalog.arrays()
        #expect(rows.map(\.shard) == [1, 1, 2, 2])
        #expect(rows[3].offset == rows[2].offset + Int64(rows[2].length))
        #expect(try rows.map { try store.read($0) } == noise + [small])
    }

    @Test func openingAnEmptyDirectoryWithoutCreateIsNotAStore() throws {
        let root = try stores.directory()
        #expect(throws: StoreError.notAStore(path: root.path)) { _ = try Store.open(at: root) }
        #expect(
            !FileManager.default.fileExists(atPath: root.appendingPathComponent(Store.catalogName).path),
            "a failed open creates nothing")
    }

    @Test func createMakesTheLayout() throws {
        let root = try stores.directory().appendingPathComponent("nested/store")
        let store = try Store.open(at: root, create: true)
        var isDirectory: ObjCBool = false
        #expect(
            FileManager.default.fileExists(atPath: store.shardDirectory.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(Store.catalogName).path))
        #expect(try Store.open(at: root).catalog.arrays().isEmpty, "reopens without create")
    }

    @Test func newCatalogIsAtTheLatestSchemaVersion() throws {
        let store = try stores.fresh()
        #expect(try store.catalog.schemaVersion() == 7)
        let tables = try store.catalog.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name"
            )
        }
        #expect(
            tables == [
                "arrays", "complexity_baselines", "effects", "excerpts", "explanation_chains", "explanation_configs",
                "explanation_weights", "explanations", "labels", "models", "predictions", "run_failures", "run_warnings", "runs",
                "separators",
                "store_meta", "tags", "track_metadata", "track_sources", "tracks",
            ])
        let journal = try store.catalog.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func reopeningDoesNotReapplyMigrations() throws {
        let store = try stores.fresh()
        _ = try store.writer().commit([try T.pending(track: 12, arrays: T.standardArrays(12))], runId: nil)
        let reopened = try Store.open(at: store.root)
        #expect(try reopened.catalog.schemaVersion() == 7)
        #expect(try reopened.catalog.arrays().count == 2)
    }

    @Test func catalogNewerThanThisBuildIsRefused() throws {
        let store = try stores.fresh()
        try store.catalog.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 8") }
        #expect(throws: StoreError.schemaTooNew(found: 8, supported: 7)) { _ = try Store.open(at: store.root) }
        #expect(try store.catalog.schemaVersion() == 8, "the refused catalog is left as it was")
    }
}
