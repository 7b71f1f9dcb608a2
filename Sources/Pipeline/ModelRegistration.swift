import Core
import Inference
import Store

extension LoadedModel {
    /// Records the model in the catalog's `models` table once (its id is its content hash), with
    /// the input it expects and its label names, so every prediction can name its model.
    func register(in catalog: Catalog, frontEnd: String, labels: String) throws {
        try catalog.write { db in try self.record(frontEnd: frontEnd, labels: labels).insert(db, onConflict: .ignore) }
    }

    /// The `models` row of this weights file.
    func record(frontEnd: String, labels: String) -> ModelRecord {
        ModelRecord(
            id: id, name: url.lastPathComponent, kind: kind.rawValue, frontEnd: frontEnd, labels: labels,
            metadata: CanonicalJSON.string(metadata), createdAt: Timestamp.now())
    }
}
