import Foundation
import GRDB

/// Summary figures of a store, as `stemtrace info` prints them.
public struct StoreInfo: Sendable, Codable {
    /// Count and sizes of the arrays of one kind.
    public struct KindSummary: Sendable, Codable, Equatable {
        public var kind: String
        public var count: Int
        public var rawBytes: Int64
        public var storedBytes: Int64
        public var compressionRatio: Double { storedBytes == 0 ? 0 : Double(rawBytes) / Double(storedBytes) }
    }

    /// Stems made by one separator.
    public struct SeparatorSummary: Sendable, Codable, Equatable {
        public var id: String
        public var tracks: Int
        public var stems: [String]

        public init(id: String, tracks: Int, stems: [String]) {
            self.id = id
            self.tracks = tracks
            self.stems = stems
        }
    }

    /// A stemtrace build that wrote runs here, and how many (`(nil, nil)`: before provenance).
    public struct BuildSummary: Sendable, Codable, Equatable {
        public var version: String?
        public var commit: String?
        public var runs: Int
    }

    public var schemaVersion: Int
    public var tracks: Int
    public var sources: Int
    public var excerpts: Int
    public var tags: Int
    public var runs: Int
    public var failures: Int
    /// Inputs stored despite an irregularity (`run_warnings`).
    public var warnings: Int
    public var kinds: [KindSummary]
    public var separators: [SeparatorSummary]
    public var shardCount: Int
    public var shardBytes: Int64
    public var catalogBytes: Int64
    /// The builds that wrote this store's runs (from the runs' provenance).
    public var builds: [BuildSummary] = []

    public var rawBytes: Int64 { kinds.reduce(0) { $0 + $1.rawBytes } }
    public var storedBytes: Int64 { kinds.reduce(0) { $0 + $1.storedBytes } }
    public var compressionRatio: Double { storedBytes == 0 ? 0 : Double(rawBytes) / Double(storedBytes) }

    public static func gather(_ store: Store) throws(StoreError) -> StoreInfo {
        let version = try store.catalog.schemaVersion()
        let counts = try store.catalog.read { db -> [Int] in
            try ["tracks", "track_sources", "excerpts", "tags", "runs", "run_failures", "run_warnings"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? 0
            }
        }
        let kinds = try store.catalog.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT kind, COUNT(*) AS n, SUM(raw_length) AS raw, SUM(length) AS stored FROM arrays GROUP BY kind ORDER BY kind"
            )
            .map {
                KindSummary(
                    kind: try $0.decode(forColumn: "kind"), count: try $0.decode(forColumn: "n"),
                    rawBytes: try $0.decode(forColumn: "raw"), storedBytes: try $0.decode(forColumn: "stored"))
            }
        }
        let separators = try store.catalog.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT producer, COUNT(DISTINCT track_id) AS tracks, GROUP_CONCAT(DISTINCT name) AS stems
                    FROM arrays WHERE kind = 'stem' GROUP BY producer ORDER BY producer
                    """
            ).map { row -> SeparatorSummary in
                let names: String = try row.decode(String?.self, forColumn: "stems") ?? ""
                return SeparatorSummary(
                    id: try row.decode(forColumn: "producer"), tracks: try row.decode(forColumn: "tracks"),
                    stems: names.split(separator: ",").map(String.init).sorted())
            }
        }
        let shards = ShardFile.list(in: store.shardDirectory)
        let shardBytes = shards.reduce(Int64(0)) { $0 + ShardFile.size($1, in: store.shardDirectory) }
        let catalogFiles = [Store.catalogName, Store.catalogName + "-wal"].map { store.root.appendingPathComponent($0).path }
        let catalogBytes = catalogFiles.reduce(Int64(0)) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0)
        }
        let builds = try store.catalog.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT stemtrace_version AS v, git_commit AS c, COUNT(*) AS n FROM runs
                    GROUP BY stemtrace_version, git_commit ORDER BY MIN(id)
                    """
            ).map { row in
                BuildSummary(
                    version: try row.decode(String?.self, forColumn: "v"), commit: try row.decode(String?.self, forColumn: "c"),
                    runs: try row.decode(forColumn: "n"))
            }
        }
        return StoreInfo(
            schemaVersion: version, tracks: counts[0], sources: counts[1], excerpts: counts[2], tags: counts[3],
            runs: counts[4], failures: counts[5], warnings: counts[6], kinds: kinds, separators: separators,
            shardCount: shards.count,
            shardBytes: shardBytes, catalogBytes: catalogBytes, builds: builds)
    }
}
