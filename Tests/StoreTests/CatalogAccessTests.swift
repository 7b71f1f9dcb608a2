import Foundation
import GRDB
import Store
import TestSupport
import Testing

/// Modules above Store read the catalog through `Catalog.read`/`query`; those run on GRDB's
/// reader connections, which SQLite opens read-only, so a read can never write.
@Suite struct CatalogAccessTests {
    @Test func aReadTransactionCannotWrite() throws {
        let root = Fixtures.scratchRoot.appendingPathComponent("stemtrace-readonly-\(UUID().uuidString)")
        let store = try Store.open(at: root, create: true)
        #expect(throws: (any Error).self) {
            try store.catalog.read { db in try db.execute(sql: "DELETE FROM runs") }
        }
        #expect(throws: (any Error).self) {
            try store.catalog.query { db in try db.execute(sql: "CREATE TABLE intruder (x)") }
        }
        #expect(try store.catalog.runs().isEmpty)
    }

    @Test func modelsAreNamedByNameAndIdAndFlaggedAsDemonstrations() {
        let plain = ModelRecord(
            id: "0123456789abcdef0123", name: "head.safetensors", kind: "musicnn-linear", frontEnd: "f", labels: "{}",
            metadata: "{}", createdAt: "")
        #expect(ModelLabel(plain).text == "head.safetensors (0123456789ab)")
        var demo = plain
        demo.metadata = #"{"demonstration":"true","name":"veracity head"}"#
        #expect(ModelLabel(demo).demonstration && ModelLabel(demo).text.hasSuffix(", a demonstration model"))
    }
}
