import Core
import Foundation
import GRDB
import TestSupport
import Testing

@testable import Store

/// Stores written by earlier schemas (Tests/Fixtures/stores, with how each was made) open,
/// migrate to the current schema and keep every record readable; runs written before
/// provenance existed say so instead of inventing it.
@Suite struct StoreUpgradeTests {
    @Test func aSchema6StoreMigratesAndKeepsItsRecords() throws {
        let root = try Fixtures.temporaryDirectory("upgrade")
        let copy = root.appendingPathComponent("schema6")
        try FileManager.default.copyItem(at: Fixtures.url("stores/schema6"), to: copy)
        let original = try Data(contentsOf: Fixtures.url("stores/schema6/catalog.sqlite"))
        #expect(
            try DatabaseQueue(path: Fixtures.url("stores/schema6/catalog.sqlite").path).read { db in
                try Int.fetchOne(db, sql: "PRAGMA user_version")
            } == 6, "the fixture is still at schema 6")

        let store = try Store.open(at: copy)
        #expect(try store.catalog.schemaVersion() == CatalogMigrations.latestVersion())
        #expect(try store.catalog.schemaVersion() >= 7)
        let counts = try store.catalog.read { db in
            try ["tracks", "arrays", "predictions", "explanations", "labels", "runs"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1
            }
        }
        #expect(counts == [2, 16, 18, 14, 4, 4])
        let report = try StoreVerifier(store: store).verify()
        #expect(report.arraysChecked == 16 && report.problems.isEmpty && report.catalogProblems.isEmpty)
        let runs = try RunReport.all(store)
        #expect(runs.count == 4 && runs.allSatisfy { $0.provenance == nil })
        #expect(try RunReport.load(store, run: 1).text().contains("provenance: not recorded"))

        // A run written after the upgrade records its provenance.
        let writer = try store.writer()
        let id = try writer.beginRun(command: "test", parameters: "{}", configHash: nil)
        #expect(try RunReport.load(store, run: id).provenance?.version == BuildInfo.version)
        #expect(try Data(contentsOf: Fixtures.url("stores/schema6/catalog.sqlite")) == original, "the fixture is untouched")
    }

    /// Every fixture store, whatever its schema, opens at the current one with its records intact
    /// (a new schema adds a folder to Tests/Fixtures/stores and this test covers it unchanged).
    @Test(arguments: ["schema6", "schema7"])
    func everyFixtureStoreOpensAtTheCurrentSchema(_ name: String) throws {
        let copy = try Fixtures.temporaryDirectory("upgrade").appendingPathComponent(name)
        try FileManager.default.copyItem(at: Fixtures.url("stores/\(name)"), to: copy)
        let store = try Store.open(at: copy)
        #expect(try store.catalog.schemaVersion() == CatalogMigrations.latestVersion())
        let report = try StoreVerifier(store: store).verify()
        #expect(report.arraysChecked == 16 && report.problems.isEmpty && report.catalogProblems.isEmpty)
        let runs = try RunReport.all(store)
        #expect(runs.map(\.command) == ["ingest", "infer", "explain", "tag"])
        if name != "schema6" {
            let p = try #require(runs.first?.provenance)
            #expect(p.version == "0.1.0" && p.commit.hasPrefix("b73b1d5") && p.libraries["onednn"] != nil)
        }
    }
}
