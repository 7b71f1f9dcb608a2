import Foundation
import GRDB
import Inference
import Store

/// musicnn's pooled 200-d penultimate embedding of every stored excerpt, computed once from the
/// stored mix (resampled to 16 kHz with soxr HQ, 3-s patches, mean over patches) and kept in the
/// store as arrays of kind `embedding` (name `musicnn-penultimate`, producer = the musicnn
/// weights' hash), so training and inference on it take seconds when run again.
public enum EmbeddingCache {
    public static let kind = "embedding"

    /// The array name of an embedding: `musicnn-penultimate` or `musicnn-pooled`.
    public static func name(_ features: MusicnnLinearModel.Features) -> String { "musicnn-\(features.rawValue)" }

    /// One excerpt's embedding.
    public struct Entry: Sendable {
        public var excerptId: Int64
        public var trackId: String
        public var values: [Float]
    }

    /// The embedding of every excerpt with a stored mix, computing (and storing) the missing ones.
    /// An excerpt too short for one patch is reported in `failures` and left out.
    public static func load(
        store: Store, writer: StoreWriter, backbone: LoadedModel, features: MusicnnLinearModel.Features = .penultimate,
        runId: Int64?,
        progress mode: ProgressReporter.Mode
    ) throws -> (entries: [Entry], computed: Int, failures: [(track: String, reason: String)]) {
        let producer = backbone.id
        let name = Self.name(features)
        let (mixes, cached) = try store.catalog.read { db in
            (
                try ArrayRecord.filter(Column("kind") == "mix" && Column("excerpt_id") != nil).order(Column("id")).fetchAll(db),
                try ArrayRecord.filter(Column("kind") == kind && Column("name") == name && Column("producer") == producer)
                    .fetchAll(db)
            )
        }
        var entries: [Entry] = []
        var done = Set<Int64>()
        for row in cached {
            guard let e = row.excerptId else { continue }
            entries.append(Entry(excerptId: e, trackId: row.trackId, values: try store.read(row).floats()))
            done.insert(e)
        }
        let missing = mixes.filter { $0.excerptId.map { !done.contains($0) } ?? false }
        var failures: [(String, String)] = []
        guard !missing.isEmpty else { return (entries, 0, failures) }
        let model = try MusicnnModel(weights: backbone.tensors)
        let frontEnd = MusicnnFrontEnd()
        let progress = ProgressReporter(label: "embeddings", total: missing.count, mode: mode)
        var computed = 0
        for mix in missing {
            guard let excerpt = mix.excerptId else { continue }
            do {
                let patches = try frontEnd.patches(try store.read(mix).floats(), sampleRate: 22050)
                let embedding = MusicnnLinearModel.embedding(model.predict(patches), features: features)
                let array = AttachedArray(
                    trackId: mix.trackId, excerptId: excerpt,
                    array: PendingArray(
                        kind: kind, name: name, producer: producer, configHash: producer,
                        record: try ShardRecord.encode(Tensor(floats: embedding, shape: [embedding.count]))))
                try writer.commitResults([array], runId: runId) { _, _ in }
                entries.append(Entry(excerptId: excerpt, trackId: mix.trackId, values: embedding))
                computed += 1
                progress.advance()
            } catch {
                failures.append((mix.trackId, "\(error)"))
                progress.advance(failed: true)
            }
        }
        progress.finish()
        return (entries, computed, failures)
    }
}
