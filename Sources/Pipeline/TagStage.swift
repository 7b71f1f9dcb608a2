import Core
import Foundation
import GRDB
import Inference
import Store

/// `stemtrace tag`: musicnn (MSD model) genre tags for every stored track, computed from the
/// stored excerpt mix (resampled 22 050 → 16 000 Hz with soxr; musicnn itself used resampy).
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
        guard loaded.kind == .musicnn else {
            throw PipelineError.invalidOption("\(url.path) is a \(loaded.kind.rawValue) model; tag runs musicnn")
        }
        let tagger = MusicnnTagger(model: try MusicnnModel(weights: loaded.tensors))
        let opened = try Store.open(at: store)
        let writer = try opened.writer()
        try loaded.register(
            in: opened.catalog, frontEnd: "mel:16000Hz:96x187", labels: CanonicalJSON.string(["tags": MusicnnModel.labels]))
        let source = "musicnn:\(loaded.id)"
        let (storedMixes, done) = try opened.catalog.read { db -> ([ArrayRecord], Set<String>) in
            let rows = try ArrayRecord.filter(Column("kind") == "mix").order(Column("id")).fetchAll(db)
            let tagged = Set(
                try String.fetchAll(db, sql: "SELECT DISTINCT track_id FROM tags WHERE source = ?", arguments: [source]))
            return (rows, tagged)
        }
        let mixes = PartitionSelection.select(storedMixes, in: partition) { $0.trackId }.inside
        var seen = Set<String>()
        let jobs = mixes.filter { !done.contains($0.trackId) && seen.insert($0.trackId).inserted }
        var parameters = ["model": loaded.id, "top": String(top)]
        if let partition { parameters["partition"] = partition.description }
        let runId = try writer.beginRun(command: "tag", parameters: CanonicalJSON.string(parameters), configHash: loaded.id)
        var summary = Summary(runId: runId, modelId: loaded.id, skipped: Set(mixes.map(\.trackId)).count - jobs.count)
        summary.outsidePartition = Set(storedMixes.map(\.trackId)).count - Set(mixes.map(\.trackId)).count
        let progress = ProgressReporter(label: "tag", total: jobs.count, mode: progressMode)
        var failures = TrackFailures(sources: try opened.catalog.trackSourcePaths())
        for job in jobs {
            do {
                let mix = try opened.read(job).floats()
                let all = try tagger.tag(mix, sampleRate: 22050)
                try ModelError.requireFinite(all.tags, model: loaded.id, input: "the mix of track \(job.trackId)") {
                    MusicnnModel.labels[$0]
                }
                let tags = all.top(top)
                let rows = tags.map {
                    TagRecord(trackId: job.trackId, tag: $0.label.lowercased(), source: source, score: Double($0.probability))
                }
                try opened.catalog.write { db in for row in rows { try row.upsert(db) } }
                summary.tagged += 1
                progress.advance()
            } catch let error as StoreError where !error.isRecordDamage {
                try? writer.updateRun(runId, counts: RunCounts(), status: "failed")
                throw error
            } catch {
                failures.add(trackId: job.trackId, error)
                progress.advance(failed: true)
            }
        }
        progress.finish()
        summary.failures = failures.items
        var counts = RunCounts()
        counts.processed = jobs.count
        counts.succeeded = summary.tagged
        counts.skipped = summary.skipped
        counts.failed = failures.count
        try failures.close(run: runId, counts: counts, writer: writer)
        return summary
    }
}
