import Core
import Foundation
import GRDB
import Inference
import Store

/// The pooled embedding of every stored excerpt under a frozen backbone, computed once and kept
/// in the store as arrays of kind `embedding` (name `EmbeddingCache.Source.name`, producer = the
/// backbone weights' content hash), so training and inference on it take seconds when run again.
///
/// - musicnn: from the stored mix, resampled to 16 kHz with soxr HQ, 3-s patches, mean over
///   patches of the penultimate (200-d) or pooled front-end (1506-d) features.
/// - RF-ResNet conv trunk: from the stored mixture spectrogram, cut to the paper's model input
///   exactly as `infer` does, the globally pooled stage-3 map (512-d): what the checkpoint's
///   `concepts_layer` reads.
public enum EmbeddingCache {
    public static let kind = "embedding"

    /// Which backbone features an embedding holds.
    public enum Source: Sendable, Equatable {
        case musicnn(MusicnnLinearModel.Features)
        case rfresnetTrunk

        /// The array name: `musicnn-penultimate`, `musicnn-pooled` or `rfresnet-pooled`.
        public var name: String {
            switch self {
            case .musicnn(let features): "musicnn-\(features.rawValue)"
            case .rfresnetTrunk: "rfresnet-pooled"
            }
        }

        /// The stored array kind the backbone reads: the excerpt's mix or its mixture spectrogram.
        var inputKind: String {
            switch self {
            case .musicnn: "mix"
            case .rfresnetTrunk: "logfiltspec"
            }
        }
    }

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
        store: Store, writer: StoreWriter, backbone: LoadedModel, source: Source = .musicnn(.penultimate),
        partition: Partition? = nil, runId: Int64?, progress mode: ProgressReporter.Mode
    ) throws -> (entries: [Entry], computed: Int, failures: [(track: String, reason: String)], outsidePartition: Int) {
        let producer = backbone.id
        let name = source.name
        let (stored, storedCache) = try store.catalog.read { db in
            (
                try ArrayRecord.filter(
                    Column("kind") == source.inputKind && Column("producer") == "" && Column("excerpt_id") != nil
                )
                .order(Column("id")).fetchAll(db),
                try ArrayRecord.filter(Column("kind") == kind && Column("name") == name && Column("producer") == producer)
                    .fetchAll(db)
            )
        }
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
        let embed = try embedder(source, backbone: backbone)
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
                try writer.commitResults([array], runId: runId) { _, _ in }
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

    /// The function from a stored input array to its embedding, with the backbone built once.
    private static func embedder(_ source: Source, backbone: LoadedModel) throws -> (Tensor) throws -> [Float] {
        switch source {
        case .musicnn(let features):
            let model = try MusicnnModel(weights: backbone.tensors)
            let frontEnd = MusicnnFrontEnd()
            return { mix in
                let patches = try frontEnd.patches(try mix.floats(), sampleRate: 22050)
                return MusicnnLinearModel.embedding(model.predict(patches), features: features)
            }
        case .rfresnetTrunk:
            let model = try RFResNet(weights: backbone.tensors)
            return { spectrogram in
                let input = FeatureMap(
                    batch: 1, channels: 1, height: RFResNetInput.bands, width: RFResNetInput.frames,
                    values: try RFResNetInput.values(of: spectrogram))
                return try model.forward(input).pooled
            }
        }
    }
}
