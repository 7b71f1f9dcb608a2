import Foundation

/// How reports and `explain show` name a model: its readable name (metadata `name`, else the
/// file name it was registered from) beside its content id, and whether it is a demonstration
/// model (metadata `demonstration` = `true`, written by `stemtrace train --demonstration`).
public struct ModelLabel: Sendable, Equatable, Encodable {
    public var id: String
    public var name: String
    public var demonstration: Bool

    public init(_ record: ModelRecord) {
        id = record.id
        name = record.name
        let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(record.metadata.utf8))) ?? [:]
        demonstration = metadata["demonstration"] == "true"
    }

    /// `name (id prefix)`, with ", a demonstration model" when it is one.
    public var text: String { "\(name) (\(id.prefix(12)))" + (demonstration ? ", a demonstration model" : "") }
}

extension Catalog {
    /// One registered model.
    public func model(id: String) throws(StoreError) -> ModelRecord? {
        try read { db in try ModelRecord.fetchOne(db, key: id) }
    }
}
