import Core
import Store

extension LoadedModel {
    /// The `models` row of this weights file: its kind's front end and label names, its readable
    /// name and its metadata, so every prediction can name its model.
    public func record() throws -> ModelRecord {
        ModelRecord(
            id: id, name: displayName, kind: kind.rawValue, frontEnd: definition.frontEnd,
            labels: CanonicalJSON.string(try definition.labels(self)), metadata: CanonicalJSON.string(metadata),
            createdAt: Timestamp.now())
    }

    /// Records the model in the catalog's `models` table once (its id is its content hash).
    public func register(with writer: StoreWriter) throws {
        try writer.register(model: try record())
    }
}
