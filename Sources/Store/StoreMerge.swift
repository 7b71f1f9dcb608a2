import Core
import Foundation
import GRDB

/// Copies everything one store holds into another: the way partitioned stores (`--partition
/// k/N`, one store per cluster job) become one. Idempotent and content-keyed like the rest of
/// the store — a track, model, separator or result already in the destination is kept, never
/// duplicated or overwritten, so merging the same store twice, or stores that share tracks, is
/// safe.
///
/// The source is only read, under a shared lock that keeps its writers out meanwhile.
///
/// How, in order (each step in its own transaction; arrays through `StoreWriter.commitResults`,
/// so records are fsynced before any row points at them and a killed merge leaves at most
/// reclaimable tail bytes; running it again completes it):
/// 1. runs: each source run becomes a destination run (matched on command, parameters and start
///    time, so a second merge reuses it); its failures come with it;
/// 2. rows keyed by content (tracks, sources, tags, metadata, labels, models, separators,
///    explanation configs, …): inserted unless present;
/// 3. excerpts (by track and configuration) and arrays (by track, excerpt, kind, name, producer,
///    configuration): matched or copied, the records read and verified (header, payload checksum
///    and LZ4 content checksum) before they are written again; a damaged record is listed in
///    `Summary.damaged` and skipped, and the rest of the source is merged;
/// 4. predictions, effects, explanations and their weights and chains: inserted unless present,
///    with every run, excerpt, array and explanation id translated.
/// A table this code does not name is copied with the same rules (its foreign keys to runs,
/// excerpts, arrays and explanations translated), so later migrations are merged too.
public struct StoreMerge {
    /// What a merge added; `present` counts what the destination already had.
    public struct Summary: Sendable, Equatable {
        public var tracksAdded = 0
        public var tracksPresent = 0
        public var arraysCopied = 0
        public var arraysPresent = 0
        public var bytesCopied: Int64 = 0
        /// Rows added per table (arrays, runs and tracks included).
        public var rowsAdded: [String: Int] = [:]
        /// Source records that failed verification and were not copied (rows pointing at them,
        /// such as an explanation's predictions array, are copied without the reference).
        public var damaged: [DamagedRecord] = []
    }

    /// A source array whose record is damaged: its id in the source, its track and what is wrong.
    public struct DamagedRecord: Sendable, Equatable {
        public var array: Int64
        public var track: String
        public var reason: String
    }

    let source: Store
    let writer: StoreWriter
    /// Records per `commitResults` batch (one fsync each).
    var batchSize = 64
    /// Recorded on the `merge` run; every source run keeps its own provenance.
    public var provenance: RunProvenance

    public init(from source: Store, into writer: StoreWriter, provenance: RunProvenance = .current()) {
        self.source = source
        self.writer = writer
        self.provenance = provenance
    }

    /// Tables with their own integer ids, which other tables point at: translated through maps.
    static let mappedTables = ["runs", "excerpts", "arrays", "explanations"]
    /// Tables the merge never copies: the migrator's bookkeeping and the store's own metadata.
    static let ownTables: Set = ["grdb_migrations", "store_meta"]

    /// Merges `source` into the writer's store and records it as a `merge` run there.
    public func run(progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws(StoreError) -> Summary {
        let destination = writer.store
        guard source.root.standardizedFileURL.path != destination.root.standardizedFileURL.path else {
            throw .mergeIntoItself(path: source.root.path)
        }
        let sourceLock = try StoreReadLock(source)
        defer { withExtendedLifetime(sourceLock) {} }
        let found = try source.catalog.schemaVersion()
        let own = try destination.catalog.schemaVersion()
        guard found == own else {
            throw .mergeSchemaMismatch(
                source: source.root.path, found: found, destination: destination.root.path, expected: own)
        }
        let mergeRun = try writer.beginRun(
            command: "merge", parameters: CanonicalJSON.string(["source": source.root.path]), configHash: nil,
            provenance: provenance)
        let sourcePath = source.catalog.path
        var summary = Summary()
        do {
            try attach(sourcePath)
            defer { try? detach() }
            let all = try sourceTables()
            let tables = all.filter { !Self.mappedTables.contains($0.name) }
            summary.rowsAdded["runs"] = try mergeRuns()
            for table in tables where !table.needsResults {
                summary.rowsAdded[table.name] = try insertMissing(table)
            }
            summary.tracksAdded = summary.rowsAdded["tracks"] ?? 0
            let sourceTracks = try source.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tracks") ?? 0 }
            summary.tracksPresent = sourceTracks - summary.tracksAdded
            summary.rowsAdded["excerpts"] = try insertAndMap("excerpts", in: all)
            try mergeArrays(into: &summary, progress: progress)
            summary.rowsAdded["explanations"] = try insertAndMap("explanations", in: all)
            for table in tables where table.needsResults {
                summary.rowsAdded[table.name] = try insertMissing(table)
            }
        } catch {
            var counts = RunCounts()
            counts.succeeded = summary.tracksAdded
            try? writer.updateRun(mergeRun, counts: counts, status: "failed")
            throw error
        }
        var counts = RunCounts()
        counts.processed = summary.tracksAdded + summary.tracksPresent
        counts.succeeded = summary.tracksAdded
        counts.duplicates = summary.tracksPresent
        counts.failed = summary.damaged.count
        try writer.updateRun(mergeRun, counts: counts, status: summary.damaged.isEmpty ? "completed" : "completed_with_failures")
        return summary
    }

    // MARK: - Connection setup

    private func attach(_ path: String) throws(StoreError) {
        try withoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [path])
            for table in Self.mappedTables {
                try db.execute(sql: "DROP TABLE IF EXISTS temp.map_\(table)")
                try db.execute(sql: "CREATE TEMP TABLE map_\(table) (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
            }
            try db.execute(sql: "DROP TABLE IF EXISTS temp.new_runs")
            try db.execute(sql: "CREATE TEMP TABLE new_runs (id INTEGER PRIMARY KEY)")
        }
    }

    private func detach() throws(StoreError) {
        try withoutTransaction { db in
            for table in Self.mappedTables { try db.execute(sql: "DROP TABLE IF EXISTS temp.map_\(table)") }
            try db.execute(sql: "DROP TABLE IF EXISTS temp.new_runs")
            try db.execute(sql: "DETACH DATABASE src")
        }
    }

    /// ATTACH and DETACH cannot run inside a transaction; the writer connection keeps both (and
    /// the temp maps) between the merge's transactions.
    private func withoutTransaction(_ body: (Database) throws -> Void) throws(StoreError) {
        do { try writer.store.catalog.pool.writeWithoutTransaction(body) } catch let e as StoreError { throw e } catch {
            throw .catalog(reason: "merge: \(error)")
        }
    }

    /// A transaction on the writer connection: the only one that sees `src` and the temp maps.
    func onWriter<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        try writer.store.catalog.write(body)
    }

    // MARK: - Tables

    /// A source table with its columns and the columns that point at a mapped table.
    struct Table {
        var name: String
        var columns: [String]
        /// column → mapped table it references.
        var mappedReferences: [String: String]
        /// Whether the table points at excerpts, arrays or explanations, so it is copied after
        /// them (a table pointing only at runs is copied with the tracks).
        var needsResults: Bool { mappedReferences.values.contains { $0 != "runs" } }
    }

    /// The source's tables in creation order (parents before children), without the store's own.
    func sourceTables() throws(StoreError) -> [Table] {
        try onWriter { db in
            let names = try String.fetchAll(
                db, sql: "SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
            return try names.filter { !Self.ownTables.contains($0) }.map { name in
                let columns = try Row.fetchAll(db, sql: "PRAGMA src.table_info(\(name.quotedDatabaseIdentifier))").map {
                    try $0.decode(String.self, forColumn: "name")
                }
                var references: [String: String] = [:]
                for fk in try Row.fetchAll(db, sql: "PRAGMA src.foreign_key_list(\(name.quotedDatabaseIdentifier))") {
                    let parent: String = try fk.decode(forColumn: "table")
                    if Self.mappedTables.contains(parent) { references[try fk.decode(String.self, forColumn: "from")] = parent }
                }
                return Table(name: name, columns: columns, mappedReferences: references)
            }
        }
    }

    /// The SELECT expression of a source column: translated through a map when it points at a
    /// mapped table.
    private static func expression(_ column: String, _ table: Table) -> String {
        let quoted = "s." + column.quotedDatabaseIdentifier
        guard let parent = table.mappedReferences[column] else { return quoted }
        return "(SELECT new FROM temp.map_\(parent) WHERE old = \(quoted))"
    }

    /// INSERT OR IGNORE of every source row (content-keyed tables; primary keys decide presence).
    private func insertMissing(_ table: Table) throws(StoreError) -> Int {
        let columns = table.columns.filter { !(table.name == "run_failures" && $0 == "id") }
        let list = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let values = columns.map { Self.expression($0, table) }.joined(separator: ", ")
        // A run's failures come only with a run the merge created (not with a reused one).
        let filter = table.name == "run_failures" ? " WHERE s.run_id IN (SELECT id FROM temp.new_runs)" : ""
        let name = table.name.quotedDatabaseIdentifier
        let sql = "INSERT OR IGNORE INTO main.\(name) (\(list)) SELECT \(values) FROM src.\(name) s\(filter)"
        return try onWriter { db in
            try db.execute(sql: sql)
            return db.changesCount
        }
    }

    /// Source runs matched on (command, parameters, started_at), the rest inserted; all mapped.
    private func mergeRuns() throws(StoreError) -> Int {
        try onWriter { db in
            try db.execute(
                sql: """
                    INSERT INTO temp.map_runs (old, new)
                    SELECT s.id, (SELECT min(m.id) FROM main.runs m WHERE m.command = s.command
                                  AND m.parameters = s.parameters AND m.started_at = s.started_at)
                    FROM src.runs s
                    WHERE EXISTS (SELECT 1 FROM main.runs m WHERE m.command = s.command
                                  AND m.parameters = s.parameters AND m.started_at = s.started_at)
                    """)
            var added = 0
            for run in try RunRecord.fetchAll(
                db, sql: "SELECT * FROM src.runs WHERE id NOT IN (SELECT old FROM temp.map_runs) ORDER BY id")
            {
                guard let old = run.id else { continue }
                var copy = run
                copy.id = nil
                try copy.insert(db)
                try db.execute(
                    sql: "INSERT INTO temp.map_runs (old, new) VALUES (?, ?)", arguments: [old, db.lastInsertedRowID])
                try db.execute(sql: "INSERT INTO temp.new_runs (id) VALUES (?)", arguments: [old])
                added += 1
            }
            return added
        }
    }

    /// Natural keys of the tables with their own ids that are matched rather than copied blindly
    /// (runs are matched in `mergeRuns`, arrays in `mergeArrays`): SQL on source row `s` and
    /// destination row `m`.
    static let naturalKeys = [
        "excerpts": "m.track_id = s.track_id AND m.config_hash = s.config_hash",
        "explanations": """
        m.config_id = s.config_id AND m.target = s.target
        AND m.excerpt_id = (SELECT new FROM temp.map_excerpts WHERE old = s.excerpt_id)
        """,
    ]

    /// Rows of a table with its own ids: inserted (ids translated) unless a row with the same
    /// natural key exists; then every source id is mapped to its destination row.
    private func insertAndMap(_ name: String, in tables: [Table]) throws(StoreError) -> Int {
        guard let table = tables.first(where: { $0.name == name }), let match = Self.naturalKeys[name] else { return 0 }
        let columns = table.columns.filter { $0 != "id" }
        let list = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let values = columns.map { Self.expression($0, table) }.joined(separator: ", ")
        let quoted = name.quotedDatabaseIdentifier
        return try onWriter { db in
            try db.execute(sql: "INSERT OR IGNORE INTO main.\(quoted) (\(list)) SELECT \(values) FROM src.\(quoted) s")
            let added = db.changesCount
            try db.execute(
                sql:
                    "INSERT INTO temp.map_\(name) (old, new) SELECT s.id, m.id FROM src.\(quoted) s JOIN main.\(quoted) m ON \(match)"
            )
            return added
        }
    }
}
