import Core
import Foundation
import Inference
import Store

/// The pooled embedding of every stored excerpt under a frozen backbone, computed once and kept
/// in the store as arrays of kind `embedding` (name `EmbeddingCache.Source.name`, producer = the
/// backbone weights' content hash), so training and inference on it take seconds when run again.
///
/// The backbone's model kind computes the embedding (`ModelKind.embedder`); the sources are
/// declared beside their kinds (`EmbeddingSource.musicnn`, `.rfresnetTrunk`).
public enum EmbeddingCache {
    public static let kind = "embedding"

    /// One excerpt's embedding.
    public struct Entry: Sendable {
        public var excerptId: Int64
        public var trackId: String
        public var values: [Float]
    }

    /// The embedding of every excerpt with a stored input, computing (and storing) the missing ones.
    /// An excerpt the backbone cannot take (too short, wrong band count) is reported in `failures`
    /// and left out. With a partition, only the excerpts of its tracks are loaded or computed;
    /// `outsidePartition` counts the stored inputs left alone.
    public static func load(
        store: Store, writer: StoreWriter, backbone: LoadedModel, source: EmbeddingSource = .musicnn(.penultimate),
        partition: Partition? = nil, runId: Int64?, progress mode: ProgressReporter.Mode
    ) throws -> (entries: [Entry], computed: Int, failures: [(track: String, reason: String)], outsidePartition: Int) {
        let producer = backbone.id
        let name = source.name
        let stored = try store.catalog.excerptArrays(kind: source.inputKind)
        let storedCache = try store.catalog.arrays(kind: kind, name: name, producer: producer)
        let (inputs, outside) = PartitionSelection.select(stored, in: partition) { $0.trackId }
        let cached = PartitionSelection.select(storedCache, in: partition) { $0.trackId }.inside
        var entries: [Entry] = []
        var done = Set<Int64>()
        var failures: [(String, String)] = []
        for row in cached {
            guard let e = row.excerptId else { continue }
            // A damaged cached embedding fails its excerpt (named); it is not recomputed over.
            done.insert(e)
            do { entries.append(Entry(excerptId: e, trackId: row.trackId, values: try store.read(row).floats())) } catch {
                failures.append((row.trackId, "\(error)"))
            }
        }
        let missing = inputs.filter { $0.excerptId.map { !done.contains($0) } ?? false }
        guard !missing.isEmpty else { return (entries, 0, failures, outside) }
        guard let sampleRate = try store.catalog.excerptSampleRate(),
            let embed = try backbone.definition.embedder(backbone, source: source, sampleRate: sampleRate)
        else {
            throw ModelUseError.unsupported(
                model: backbone.url.path, kind: backbone.kind, use: "it does not compute the \(name) embedding")
        }
        let progress = ProgressReporter(label: "embeddings", total: missing.count, mode: mode)
        var computed = 0
        for input in missing {
            guard let excerpt = input.excerptId else { continue }
            do {
                let embedding = try embed(try store.read(input))
                try ModelError.requireFinite(embedding, model: producer, input: "excerpt \(excerpt)") { _ in "embedding \(name)" }
                let array = AttachedArray(
                    trackId: input.trackId, excerptId: excerpt,
                    array: PendingArray(
                        kind: kind, name: name, producer: producer, configHash: producer,
                        record: try ShardRecord.encode(Tensor(floats: embedding, shape: [embedding.count]))))
                try writer.store(arrays: [array], runId: runId)
                entries.append(Entry(excerptId: excerpt, trackId: input.trackId, values: embedding))
                computed += 1
                progress.advance()
            } catch {
                failures.append((input.trackId, "\(error)"))
                progress.advance(failed: true)
            }
        }
        progress.finish()
        return (entries, computed, failures, outside)
    }
}

/// Which backbone features an embedding holds: the array name it is cached under and the stored
/// array kind the backbone reads.
public struct EmbeddingSource: Sendable, Hashable {
    /// The array name: `musicnn-penultimate`, `musicnn-pooled` or `rfresnet-pooled`.
    public var name: String
    /// The stored array kind the backbone reads (the excerpt's `mix`, or its `logfiltspec`).
    public var inputKind: String

    public init(name: String, inputKind: String) {
        self.name = name
        self.inputKind = inputKind
    }
}
