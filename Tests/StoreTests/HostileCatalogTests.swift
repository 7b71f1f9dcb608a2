import Foundation
import GRDB
import TestSupport
import Testing

@testable import Store

/// The catalog is input too: a row whose offset or length lies, or a file SQLite calls damaged,
/// must give an error naming what is wrong — never an allocation of the claimed size, a crash,
/// or a clean `verify`.
@Suite struct HostileCatalogTests {
    typealias T = StoreTestData
    let stores = TemporaryStores()

    func populatedStore(tracks: Int = 3) throws -> Store {
        let store = try stores.fresh()
        let writer = try store.writer()
        for n in 1...tracks { _ = try writer.commit([try T.pending(track: n, arrays: T.standardArrays(n))], runId: nil) }
        return store
    }

    /// Sets one column of the first `mix` array row, bypassing every check.
    func forge(_ store: Store, _ assignment: String) throws -> ArrayRecord {
        try store.catalog.write { db in
            try db.execute(sql: "UPDATE arrays SET \(assignment) WHERE id = (SELECT min(id) FROM arrays WHERE kind = 'mix')")
        }
        return try #require(try store.catalog.arrays(kind: "mix").first)
    }

    /// The stored excerpt rate feeds the resamplers of tag, explain and the embedding cache:
    /// a forged one is refused, never passed on.
    @Test(arguments: ["sample_rate = 0", "sample_rate = -22050", "sample_rate = 1000000000", "sample_rate = 22050.5"])
    func aForgedExcerptSampleRateIsRefused(assignment: String) throws {
        let store = try populatedStore()
        #expect(try store.catalog.excerptSampleRate() != nil)
        try store.catalog.write { db in
            try db.execute(sql: "UPDATE excerpts SET \(assignment) WHERE id = (SELECT min(id) FROM excerpts)")
        }
        #expect(throws: StoreError.self) { _ = try store.catalog.excerptSampleRate() }
    }

    @Test(arguments: [
        "length = 100000000000", "length = 9223372036854775807", "offset = 9223372036854775000", "offset = -8",
        "length = 3", "offset = 1000000",
    ])
    func aLyingRowIsOutOfBoundsBeforeAnythingIsAllocated(assignment: String) throws {
        let store = try populatedStore()
        let row = try forge(store, assignment)
        let error = #expect(throws: StoreError.self) { _ = try store.read(row) }
        guard case .recordOutOfBounds(let id, let shard, _, _, _)? = error else {
            Issue.record("expected recordOutOfBounds, got \(String(describing: error))")
            return
        }
        #expect(id == row.id && shard == 1)
        #expect(error?.isRecordDamage == true)
        let report = try StoreVerifier(store: store).verify()
        #expect(report.isCorrupt && report.problems.count == 1 && report.problems[0].record == row.id)
        #expect(report.arraysChecked == 6, "the other five arrays were still checked")
    }

    @Test func aRowInAMissingShardIsUnreadableNamingTheShard() throws {
        let store = try populatedStore()
        let row = try forge(store, "shard = 42")
        let error = #expect(throws: StoreError.self) { _ = try store.read(row) }
        guard case .shardUnreadable(_, let path, _)? = error else {
            Issue.record("expected shardUnreadable, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("000042.shard"))
    }

    @Test func aSoundCatalogPassesBothChecks() throws {
        let store = try populatedStore()
        for check in [StoreVerifier.CatalogCheck.full, .quick] {
            let report = try StoreVerifier(store: store).verify(catalogCheck: check)
            #expect(report.catalogProblems.isEmpty && !report.isCorrupt, "\(report.catalogProblems)")
        }
    }

    @Test func aDanglingForeignKeyIsCatalogDamage() throws {
        let store = try populatedStore()
        try store.catalog.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM excerpts WHERE id = (SELECT min(id) FROM excerpts)")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let report = try StoreVerifier(store: store).verify(catalogCheck: .quick)
        #expect(report.isCorrupt)
        #expect(report.catalogProblems.contains { $0.contains("foreign key: arrays") && $0.contains("excerpts") })
    }

    @Test func theVerifyCommandReportsCatalogDamageAndExitsOne() throws {
        let store = try populatedStore()
        try store.catalog.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM tracks WHERE id = ?", arguments: [T.trackID(2)])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        for flags in [[], ["--quick"]] {
            let run = try BuiltTool.run(["verify", "--store", store.root.path] + flags)
            #expect(run.status == 1, "\(run.output)")
            #expect(run.output.contains("DAMAGED") && run.output.contains("points at a missing tracks row"), "\(run.output)")
            #expect(run.output.contains(flags.isEmpty ? "integrity_check" : "quick_check"), "\(run.output)")
        }
    }

    /// Random byte damage to copies of a checkpointed catalog: whenever SQLite's own
    /// integrity_check finds the copy damaged, `verify` must fail too (or the store must refuse to
    /// open). Before, most such catalogs verified clean.
    @Test func everyCatalogThatFailsIntegrityCheckFailsVerify() throws {
        let store = try populatedStore(tracks: 40)
        try store.catalog.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        let original = try Data(contentsOf: URL(fileURLWithPath: store.catalog.path))
        var rng = SeededBytes(seed: 2026)
        var damaged = 0
        var detected = 0
        for copy in 0..<40 {
            let root = try stores.directory()
            try FileManager.default.createSymbolicLink(
                at: root.appendingPathComponent("shards"), withDestinationURL: store.shardDirectory)
            var bytes = original
            // Leave the 100-byte file header alone (its damage makes SQLite refuse the file at once).
            for _ in 0..<24 { bytes[100 + Int(rng.next() % UInt64(bytes.count - 100))] ^= UInt8(1 + rng.next() % 255) }
            let path = root.appendingPathComponent(Store.catalogName).path
            try bytes.write(to: URL(fileURLWithPath: path))
            guard Self.sqliteFindsDamage(path) else { continue }
            damaged += 1
            do {
                let opened = try Store.open(at: root)
                let report = try StoreVerifier(store: opened).verify()
                #expect(report.isCorrupt, "copy \(copy): integrity_check fails, verify passed")
                if report.isCorrupt { detected += 1 }
            } catch {
                detected += 1  // refusing to open a damaged catalog is a failure too
            }
        }
        #expect(damaged >= 5, "the damage should hit the catalog's pages often (hit \(damaged) of 40)")
        #expect(detected == damaged)
    }

    /// SQLite's own verdict, on a plain connection that never writes.
    static func sqliteFindsDamage(_ path: String) -> Bool {
        do {
            var config = Configuration()
            config.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: config)
            let result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            return result != ["ok"]
        } catch {
            return true
        }
    }
}

/// A xorshift byte source for reproducible damage.
struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
