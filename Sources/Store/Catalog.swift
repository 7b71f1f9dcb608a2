import Foundation
import GRDB

/// The SQLite catalog (`catalog.sqlite`, WAL mode) accessed through GRDB. Safe to share between
/// tasks: GRDB's `DatabasePool` serialises writes and runs reads concurrently.
public final class Catalog: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (and migrates) the catalog at `path`.
    public init(path: String) throws(StoreError) {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        self.path = path
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let supported = try CatalogMigrations.latestVersion()
            let found = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            if found > supported { throw StoreError.schemaTooNew(found: found, supported: supported) }
            try CatalogMigrations.migrator().migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .catalog(reason: "\(path): \(error)")
        }
    }

    /// Runs a read transaction, mapping database errors to `StoreError.catalog`.
    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.read(body) } catch let e as StoreError { throw e } catch { throw .catalog(reason: "\(error)") }
    }

    /// Runs a read transaction for a caller with errors of its own (queries): database errors
    /// become `StoreError.catalog`, every other error of `body` passes through unchanged.
    public func query<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let e as DatabaseError { throw StoreError.catalog(reason: "\(e)") }
    }

    /// Runs a write transaction, mapping database errors to `StoreError.catalog`.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.write(body) } catch let e as StoreError { throw e } catch { throw .catalog(reason: "\(error)") }
    }

    /// The schema version recorded in the catalog.
    public func schemaVersion() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// Arrays, optionally filtered by kind and track, in id order.
    public func arrays(kind: String? = nil, track: String? = nil) throws(StoreError) -> [ArrayRecord] {
        try read { db in
            var request = ArrayRecord.order(Column("id"))
            if let kind { request = request.filter(Column("kind") == kind) }
            if let track { request = request.filter(Column("track_id") == track) }
            return try request.fetchAll(db)
        }
    }

    /// Number of stored arrays.
    public func arrayCount() throws(StoreError) -> Int {
        try read { db in try ArrayRecord.fetchCount(db) }
    }

    /// For every shard some row references, the end of its last referenced record
    /// (`MAX(offset + length)`): bytes past it are not part of the store. Rows whose offset and
    /// length cannot describe a record (negative, or overflowing) are left out: they are damaged,
    /// and reading them reports it.
    public func referencedEnds() throws(StoreError) -> [Int: Int64] {
        try read { db in
            var ends: [Int: Int64] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT shard, MAX(offset + length) AS end FROM arrays
                    WHERE offset >= 0 AND length > 0 AND offset <= 9223372036854775807 - length GROUP BY shard
                    """)
            {
                ends[try row.decode(Int.self, forColumn: "shard")] = try row.decode(Int64.self, forColumn: "end")
            }
            return ends
        }
    }

    /// True when `path` was already ingested, unchanged (same size and modification time), its
    /// track has an excerpt under `configHash` and, when `stemProducer` is given, stems from that
    /// separator: a resumed run can skip it without decoding.
    public func isCurrentSource(
        path: String, fileSize: Int64, mtime: Double, configHash: String,
        stemProducer: String? = nil
    ) throws(StoreError) -> Bool {
        try read { db in
            guard
                let track = try String.fetchOne(
                    db,
                    sql: """
                        SELECT s.track_id FROM track_sources s JOIN excerpts e ON e.track_id = s.track_id
                        WHERE s.path = ? AND s.file_size = ? AND s.mtime = ? AND e.config_hash = ?
                        """, arguments: [path, fileSize, mtime, configHash])
            else { return false }
            guard let stemProducer else { return true }
            return try ArrayRecord.filter(
                Column("track_id") == track && Column("kind") == "stem" && Column("producer") == stemProducer
                    && Column("config_hash") == configHash
            ).fetchCount(db) > 0
        }
    }

    /// True when the track has arrays of `kind` from `producer` under `configHash`.
    public func hasArrays(track: String, kind: String, producer: String = "", configHash: String) throws(StoreError) -> Bool {
        try read { db in
            try ArrayRecord.filter(
                Column("track_id") == track && Column("kind") == kind && Column("producer") == producer
                    && Column("config_hash") == configHash
            ).fetchCount(db) > 0
        }
    }

    /// Separators that produced stems in this store.
    public func separators() throws(StoreError) -> [SeparatorRecord] {
        try read { db in try SeparatorRecord.order(Column("id")).fetchAll(db) }
    }

    /// True when the track already has an excerpt under `configHash` (its arrays need no recomputation).
    public func hasExcerpt(track: String, configHash: String) throws(StoreError) -> Bool {
        try read { db in
            try ExcerptRecord.filter(Column("track_id") == track && Column("config_hash") == configHash).fetchCount(db) > 0
        }
    }

    /// What SQLite finds wrong with the catalog file: `PRAGMA integrity_check` (or the faster
    /// `quick_check`, which skips index-content checks) and `PRAGMA foreign_key_check`. Empty when
    /// the catalog is sound; when SQLite cannot even run the check, that is the problem reported.
    /// See https://sqlite.org/pragma.html#pragma_integrity_check.
    public func integrityProblems(quick: Bool = false) -> [String] {
        do {
            return try pool.read { db in
                var problems = try String.fetchAll(db, sql: quick ? "PRAGMA quick_check" : "PRAGMA integrity_check")
                    .filter { $0 != "ok" }
                for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                    let table = try row.decode(String?.self, atIndex: 0) ?? "?"
                    let rowid = try row.decode(Int64?.self, atIndex: 1)
                    let parent = try row.decode(String?.self, atIndex: 2) ?? "?"
                    problems.append(
                        "foreign key: \(table) row \(rowid.map(String.init) ?? "?") points at a missing \(parent) row")
                }
                return problems
            }
        } catch {
            return ["SQLite cannot check the catalog: \(error)"]
        }
    }

    /// Each track's first source path, by track id: what per-track failures are reported by.
    public func trackSourcePaths() throws(StoreError) -> [String: String] {
        try read { db in
            var paths: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, source_path FROM tracks") {
                paths[try row.decode(String.self, forColumn: "id")] = try row.decode(String.self, forColumn: "source_path")
            }
            return paths
        }
    }

    public func runs() throws(StoreError) -> [RunRecord] {
        try read { db in try RunRecord.order(Column("id")).fetchAll(db) }
    }

    public func failures(run: Int64) throws(StoreError) -> [RunFailureRecord] {
        try read { db in try RunFailureRecord.filter(Column("run_id") == run).order(Column("id")).fetchAll(db) }
    }
}
