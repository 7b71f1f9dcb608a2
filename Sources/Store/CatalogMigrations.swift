import Foundation
import GRDB

/// Applies the numbered SQL files of `schema/` in order through GRDB's `DatabaseMigrator`
/// (each once, each in its own transaction) and records the schema version in
/// `PRAGMA user_version`. Released migrations are never edited; changes add a new file.
enum CatalogMigrations {
    /// (version, name, SQL) for every bundled `schema/NNNN_name.sql`, ascending.
    static func bundled() throws(StoreError) -> [(version: Int, name: String, sql: String)] {
        guard let directory = Bundle.module.url(forResource: "schema", withExtension: nil) else {
            throw .catalog(reason: "schema migrations are missing from the Store bundle")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".sql") }.sorted()
        var out: [(Int, String, String)] = []
        for file in files {
            guard let version = Int(file.prefix(4)) else { continue }
            guard let sql = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8) else {
                throw .catalog(reason: "cannot read migration \(file)")
            }
            out.append((version, String(file.dropLast(4)), sql))
        }
        return out
    }

    /// The newest schema version this build knows.
    static func latestVersion() throws(StoreError) -> Int { try bundled().last?.version ?? 0 }

    static func migrator() throws(StoreError) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for m in try bundled() {
            migrator.registerMigration(m.name) { db in
                try db.execute(sql: m.sql)
                try db.execute(sql: "PRAGMA user_version = \(m.version)")
            }
        }
        return migrator
    }
}
