import Foundation
import GRDB

/// The catalog writes of the stages, by name. Only the single `StoreWriter` (which holds the
/// store's write lock) can write, and only through these methods and `commit`: no module above
/// Store has raw write access to the catalog.
extension StoreWriter {
    /// Records a model once (its id is its content hash).
    public func register(model: ModelRecord) throws(StoreError) {
        try store.catalog.write { db in try model.insert(db, onConflict: .ignore) }
    }

    /// Records an explanation configuration once (its id hashes every setting).
    public func register(explanationConfig: ExplanationConfigRecord) throws(StoreError) {
        try store.catalog.write { db in try explanationConfig.insert(db, onConflict: .ignore) }
    }

    /// Records a complexity baseline once per component count.
    public func register(complexityBaseline: ComplexityBaselineRecord) throws(StoreError) {
        try store.catalog.write { db in try complexityBaseline.insert(db, onConflict: .ignore) }
    }

    /// Stores predictions and effects in one transaction; rows already stored are kept.
    public func store(predictions: [PredictionRecord], effects: [EffectRecord]) throws(StoreError) {
        try store.catalog.write { db in
            for row in predictions { try row.insert(db, onConflict: .ignore) }
            for row in effects { try row.insert(db, onConflict: .ignore) }
        }
    }

    /// Stores (or replaces) tags.
    public func store(tags: [TagRecord]) throws(StoreError) {
        try store.catalog.write { db in for row in tags { try row.upsert(db) } }
    }

    /// Stores (or replaces) labels.
    public func store(labels: [LabelRecord]) throws(StoreError) {
        try store.catalog.write { db in for row in labels { try row.upsert(db) } }
    }

    /// Records per-item failures of a run.
    public func record(failures: [RunFailureRecord]) throws(StoreError) {
        try store.catalog.write { db in for row in failures { try row.insert(db) } }
    }

    /// Stores arrays of tracks already in the store (cached embeddings, say).
    public func store(arrays: [AttachedArray], runId: Int64?) throws(StoreError) {
        try commitResults(arrays, runId: runId) { _, _ in }
    }

    /// One target's explanation with its component weights (their `explanationId` is filled in).
    public struct ExplanationRows: Sendable {
        public var explanation: ExplanationRecord
        public var weights: [ExplanationWeightRecord]

        public init(explanation: ExplanationRecord, weights: [ExplanationWeightRecord]) {
            self.explanation = explanation
            self.weights = weights
        }
    }

    /// Stores one excerpt's explanations: the masks-and-predictions `array` (whose id each
    /// explanation's `predictionsArray` takes), the explanations with their weights, and the
    /// two-level chains (replacing older chains of the same config and excerpt) — all or nothing.
    public func store(
        explanations: [ExplanationRows], predictions array: AttachedArray, chains: [ExplanationChainRecord], runId: Int64
    ) throws(StoreError) {
        try commitResults([array], runId: runId) { db, ids in
            for rows in explanations {
                var explanation = rows.explanation
                explanation.predictionsArray = ids.first
                try explanation.insert(db)
                let id = db.lastInsertedRowID
                for var weight in rows.weights {
                    weight.explanationId = id
                    try weight.insert(db)
                }
            }
            for chain in chains { try chain.insert(db, onConflict: .replace) }
        }
    }
}
