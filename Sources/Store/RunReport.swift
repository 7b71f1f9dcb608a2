import Foundation
import GRDB

/// One run's provenance and what it produced (`stemtrace info --run N`, `export`'s
/// PROVENANCE.json): its row, with the JSON columns decoded, and per table the rows whose
/// `run_id` is this run (every table that has one, found from the schema, so a later table
/// counts without a change here).
public struct RunReport: Sendable, Codable, Equatable {
    public var id: Int64
    public var command: String
    public var parameters: String
    public var status: String
    public var startedAt: String
    public var finishedAt: String?
    /// nil for runs written before migration 0007 (nothing was recorded).
    public var provenance: RunProvenance?
    /// Table → rows this run wrote (only tables with at least one), e.g. `arrays`, `predictions`.
    public var produced: [String: Int]
    /// Array kind → arrays this run wrote.
    public var arrays: [String: Int]

    /// Every run of the store, in id order, without the per-table counts (`produced` empty).
    public static func all(_ store: Store) throws(StoreError) -> [RunReport] {
        try store.catalog.read { db in try RunRecord.order(Column("id")).fetchAll(db).map { Self.header($0) } }
    }

    /// One run with what it produced; `StoreError.missing` names the known range when it does not exist.
    public static func load(_ store: Store, run id: Int64) throws(StoreError) -> RunReport {
        try store.catalog.read { db in
            guard let row = try RunRecord.fetchOne(db, key: id) else {
                let range = try Row.fetchOne(db, sql: "SELECT MIN(id) AS lo, MAX(id) AS hi FROM runs")
                let known: String =
                    (try range.flatMap { r -> String? in
                        guard let lo = try r.decode(Int64?.self, forColumn: "lo"),
                            let hi = try r.decode(Int64?.self, forColumn: "hi")
                        else { return nil }
                        return "runs \(lo)–\(hi)"
                    }) ?? "no runs"
                throw StoreError.catalog(reason: "no run \(id) in this store (\(known))")
            }
            var report = Self.header(row)
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            for table in tables where table != "runs" {
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { row -> String in
                    try row.decode(forColumn: "name")
                }
                guard columns.contains("run_id") else { continue }
                let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE run_id = ?", arguments: [id]) ?? 0
                if n > 0 { report.produced[table] = n }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, COUNT(*) AS n FROM arrays WHERE run_id = ? GROUP BY kind", arguments: [id])
            {
                report.arrays[try row.decode(forColumn: "kind")] = try row.decode(forColumn: "n")
            }
            return report
        }
    }

    static func header(_ r: RunRecord) -> RunReport {
        var provenance: RunProvenance?
        if let version = r.stemtraceVersion, let commit = r.gitCommit {
            let decoder = JSONDecoder()
            let libraries = r.libraries.flatMap { try? decoder.decode([String: String].self, from: Data($0.utf8)) }
            let arguments = r.commandLine.flatMap { try? decoder.decode([String].self, from: Data($0.utf8)) }
            provenance = RunProvenance(
                version: version, commit: commit, libraries: libraries ?? [:], host: r.host ?? "", cpu: r.cpu ?? "",
                threads: r.threads ?? 0, commandLine: arguments ?? [])
        }
        return RunReport(
            id: r.id ?? 0, command: r.command, parameters: r.parameters, status: r.status, startedAt: r.startedAt,
            finishedAt: r.finishedAt, provenance: provenance, produced: [:], arrays: [:])
    }

    /// The text `stemtrace info --run N` prints.
    public func text() -> String {
        var lines = [
            "run \(id): \(command), \(status), \(startedAt) – \(finishedAt ?? "not finished")",
            "  parameters: \(parameters)",
        ]
        if let p = provenance {
            lines += [
                "  stemtrace \(p.version), commit \(p.commit)",
                "  command line: \(p.commandLine.joined(separator: " "))",
                "  host \(p.host), CPU \(p.cpu), \(p.threads) threads",
                "  libraries: " + p.libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "),
            ]
        } else {
            lines.append("  provenance: not recorded (written before catalog schema 7)")
        }
        lines.append(
            "  produced: "
                + (produced.isEmpty
                    ? "nothing"
                    : produced.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))
        if !arrays.isEmpty {
            lines.append("  arrays: " + arrays.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
