import Core
import Foundation
import Inference
import Models
import Store

/// `stemtrace tag`: musicnn (MSD model) genre tags for every stored track, computed from the
/// stored excerpt mix (resampled from the stored rate, 22 050 Hz by default, to 16 000 Hz with soxr; musicnn itself used resampy).
/// The top tags are stored in `tags` with their probability and the model's id as the source,
/// beside file-metadata and CSV tags; the model is registered in `models`. Tracks already tagged
/// by the same model are skipped; a track too short for one 3-s patch, with a damaged mix record
/// or with non-finite tag scores is reported and skipped, and the run goes on.
/// With a partition, only its tracks are tagged (the others are counted in `outsidePartition`).
public struct TagStage: Sendable {
    public struct Summary: Sendable {
        public var runId: Int64
        public var modelId: String
        public var tagged = 0
        public var skipped = 0
        /// Tracks left alone because they are in another partition.
        public var outsidePartition = 0
        /// Tracks that could not be tagged (damaged record, too short, non-finite output), with the reason.
        public var failures: [TrackFailures.Item] = []
    }

    public let store: URL
    public let model: URL?
    public let top: Int
    public let partition: Partition?

    /// - Parameters:
    ///   - model: musicnn weights (TensorFlow key names); nil uses the bundled MSD_musicnn weights.
    ///   - top: tags stored per track.
    ///   - partition: only this partition's tracks are tagged (nil: every track).
    public init(store: URL, model: URL? = nil, top: Int = 5, partition: Partition? = nil) {
        self.store = store
        self.model = model
        self.top = max(1, top)
        self.partition = partition
    }

    public func run(progressMode: ProgressReporter.Mode = .automatic) throws -> Summary {
        guard let url = model ?? MusicnnModel.bundledWeightsURL else {
            throw PipelineError.invalidOption("the bundled musicnn weights are missing from this build")
        }
        let loaded = try LoadedModel(contentsOf: url)
        let tagger = try loaded.definition.tagger(loaded)
        let source = "musicnn:\(loaded.id)"
        var storedMixes: [ArrayRecord] = []
        var done = Set<String>()
        var sampleRate = 0
        let run = try StageRun.begin(
            store: store, command: "tag", parameters: ["model": loaded.id, "top": String(top)], partition: partition,
            configHash: loaded.id
        ) { writer in
            try loaded.register(with: writer)
            storedMixes = try writer.store.catalog.arrays(kind: "mix")
            done = try writer.store.catalog.tracksTagged(source: source)
            sampleRate = try writer.store.catalog.excerptSampleRate() ?? 0
        }
        let mixes = PartitionSelection.select(storedMixes, in: partition) { $0.trackId }.inside
        var seen = Set<String>()
        let jobs = mixes.filter { !done.contains($0.trackId) && seen.insert($0.trackId).inserted }
        var summary = Summary(runId: run.runId, modelId: loaded.id, skipped: Set(mixes.map(\.trackId)).count - jobs.count)
        summary.outsidePartition = Set(storedMixes.map(\.trackId)).count - Set(mixes.map(\.trackId)).count
        run.counts.skipped = summary.skipped
        run.startProgress(label: "tag", total: jobs.count, mode: progressMode)
        for job in jobs {
            do {
                let mix = try run.store.read(job).floats()
                let all = try tagger.tag(mix, sampleRate: sampleRate)
                try ModelError.requireFinite(all.tags, model: loaded.id, input: "the mix of track \(job.trackId)") {
                    MusicnnModel.labels[$0]
                }
                let rows = all.top(top).map {
                    TagRecord(trackId: job.trackId, tag: $0.label.lowercased(), source: source, score: Double($0.probability))
                }
                try run.writer.store(tags: rows)
                summary.tagged += 1
                run.succeeded()
            } catch let error as StoreError where !error.isRecordDamage {
                run.abandon()
                throw error
            } catch {
                run.fail(trackId: job.trackId, error)
            }
        }
        try run.finish()
        summary.failures = run.failures.items
        return summary
    }
}
