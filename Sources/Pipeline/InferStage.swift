import Core
import Foundation
import GRDB
import Inference
import Store

/// `stemtrace infer`: mid-level concepts and emotion outputs of the paper's RF-ResNet for every
/// stored excerpt, plus the paper's effects (concept value × the weight joining it to an output)
/// and relative effects (effect ÷ Σ|effects| of that output). Results are stored under the
/// model's content hash: another model adds rows, the same model skips excerpts it has done.
/// The weights and the stored input size are checked before any work. With a partition, only the
/// excerpts of its tracks are run (the others are counted in `outsidePartition`). An excerpt whose
/// record is damaged, that the model cannot take, or for which the model gives NaN or ±Inf is
/// named in `failures` (and `run_failures`) and left out; the run goes on with the others.
public struct InferStage: Sendable {
    public struct Summary: Sendable {
        public var runId: Int64
        public var modelId: String
        public var excerpts = 0
        public var inferred = 0
        public var skipped = 0
        /// Excerpts left alone because their track is in another partition.
        public var outsidePartition = 0
        /// Excerpts that could not be inferred, by track, with the reason.
        public var failures: [TrackFailures.Item] = []
        public var seconds = 0.0
    }

    public let store: URL
    public let modelURL: URL
    public var batchSize: Int
    /// Only excerpts of this partition's tracks are run (nil: every excerpt).
    public var partition: Partition?

    public init(store: URL, model: URL, batchSize: Int = 4, partition: Partition? = nil) {
        self.store = store
        self.modelURL = model
        self.batchSize = max(1, batchSize)
        self.partition = partition
    }

    /// What a run records as its parameters.
    private func parameters(model: String, batch: Bool) -> String {
        var p = ["model": model, "path": modelURL.path]
        if batch { p["batch"] = String(batchSize) }
        if let partition { p["partition"] = partition.description }
        return CanonicalJSON.string(p)
    }

    /// A stored excerpt to run: its spectrogram array.
    struct Job {
        let excerptId: Int64
        let trackId: String
        let array: ArrayRecord
    }

    public func run(progressMode: ProgressReporter.Mode = .automatic) throws -> Summary {
        let start = Date()
        let loaded = try LoadedModel(contentsOf: modelURL)
        if loaded.kind == .musicnnLinear { return try runLinear(loaded, start: start, progressMode: progressMode) }
        guard loaded.kind == .rfresnet else {
            throw PipelineError.invalidOption(
                "\(modelURL.path) is a \(loaded.kind.rawValue) model; infer runs the RF-ResNet (use `stemtrace tag` for musicnn)")
        }
        let model = try RFResNet(weights: loaded.tensors)
        let opened = try Store.open(at: store)
        let writer = try opened.writer()
        let bands = RFResNetInput.bands
        let width = RFResNetInput.frames
        try loaded.register(
            in: opened.catalog, frontEnd: "logfiltspec:\(bands)x\(width)",
            labels: CanonicalJSON.string(["concepts": RFResNet.conceptNames, "outputs": RFResNet.outputNames]))

        let stored = try opened.catalog.read { db in
            try ArrayRecord.filter(Column("kind") == "logfiltspec" && Column("producer") == "" && Column("excerpt_id") != nil)
                .order(Column("id")).fetchAll(db)
        }
        let (all, outside) = PartitionSelection.select(stored, in: partition) { $0.trackId }
        let done = try opened.catalog.read { db in
            Set(
                try Int64.fetchAll(
                    db, sql: "SELECT DISTINCT excerpt_id FROM predictions WHERE model_id = ?", arguments: [loaded.id]))
        }
        let jobs = all.compactMap { a -> Job? in
            guard let e = a.excerptId, !done.contains(e) else { return nil }
            return Job(excerptId: e, trackId: a.trackId, array: a)
        }
        if let first = jobs.first, first.array.dimensions.first != bands {
            throw PipelineError.invalidOption(
                "stored spectrograms have \(first.array.dimensions.first ?? 0) bands; the model expects \(bands): re-ingest with the paper's front end"
            )
        }
        let runId = try writer.beginRun(
            command: "infer", parameters: parameters(model: loaded.id, batch: true), configHash: loaded.id)
        var summary = Summary(
            runId: runId, modelId: loaded.id, excerpts: all.count, skipped: all.count - jobs.count, outsidePartition: outside)
        var failures = TrackFailures(sources: try opened.catalog.trackSourcePaths())
        let progress = ProgressReporter(label: "infer", total: jobs.count, mode: progressMode)
        do {
            for batchStart in stride(from: 0, to: jobs.count, by: batchSize) {
                let batch = Array(jobs[batchStart..<min(jobs.count, batchStart + batchSize)])
                var ready: [Job] = []
                var input = [Float]()
                input.reserveCapacity(batch.count * bands * width)
                for job in batch {
                    do {
                        input += try RFResNetInput.values(of: try opened.read(job.array))
                        ready.append(job)
                    } catch {
                        failures.add(trackId: job.trackId, error)
                        progress.advance(failed: true)
                    }
                }
                guard !ready.isEmpty else { continue }
                let result = try model.forward(
                    FeatureMap(batch: ready.count, channels: 1, height: bands, width: width, values: input))
                let c = RFResNet.conceptNames.count
                let o = RFResNet.outputNames.count
                var rows: [ExcerptResult] = []
                for (n, job) in ready.enumerated() {
                    let row = ExcerptResult(
                        excerptId: job.excerptId, trackId: job.trackId,
                        concepts: Array(result.concepts[(n * c)..<((n + 1) * c)]),
                        outputs: Array(result.output[(n * o)..<((n + 1) * o)]))
                    do {
                        try row.checkFinite(
                            conceptNames: RFResNet.conceptNames, outputNames: RFResNet.outputNames, model: loaded.id)
                        rows.append(row)
                        progress.advance()
                    } catch {
                        failures.add(trackId: job.trackId, error)
                        progress.advance(failed: true)
                    }
                }
                try Self.store(
                    rows, conceptNames: RFResNet.conceptNames, outputNames: RFResNet.outputNames, model: loaded.id,
                    weights: model.conceptToOutputWeights, runId: runId, writer: writer)
                summary.inferred += rows.count
            }
        } catch {
            try? writer.updateRun(runId, counts: RunCounts(), status: "failed")
            throw error
        }
        progress.finish()
        summary.seconds = Date().timeIntervalSince(start)
        summary.failures = failures.items
        var counts = RunCounts()
        counts.processed = jobs.count
        counts.succeeded = summary.inferred
        counts.skipped = summary.skipped
        counts.failed = failures.count
        try failures.close(run: runId, counts: counts, writer: writer)
        return summary
    }

    /// One excerpt's results: its concepts and outputs in the model's order.
    struct ExcerptResult {
        var excerptId: Int64
        var trackId: String
        var concepts: [Float]
        var outputs: [Float]

        /// Refuses a result with a NaN or ±Inf value (`ModelError.requireFinite`).
        func checkFinite(conceptNames: [String], outputNames: [String], model: String) throws(ModelError) {
            let names = conceptNames + outputNames
            try ModelError.requireFinite(concepts + outputs, model: model, input: "excerpt \(excerptId)") { names[$0] }
        }
    }

    /// Writes predictions and effects (outputs × concepts `weights`) of excerpts.
    static func store(
        _ rows: [ExcerptResult], conceptNames: [String],
        outputNames: [String], model: String, weights: [Float], runId: Int64, writer: StoreWriter
    ) throws {
        let now = Timestamp.now()
        var predictions: [PredictionRecord] = []
        var effects: [EffectRecord] = []
        let k = conceptNames.count
        for row in rows {
            for (i, name) in conceptNames.enumerated() {
                predictions.append(
                    PredictionRecord(
                        excerptId: row.excerptId, trackId: row.trackId, modelId: model, kind: "concept", name: name,
                        value: Double(row.concepts[i]), inputStart: 0, runId: runId, createdAt: now))
            }
            for (j, name) in outputNames.enumerated() {
                predictions.append(
                    PredictionRecord(
                        excerptId: row.excerptId, trackId: row.trackId, modelId: model, kind: "output", name: name,
                        value: Double(row.outputs[j]), inputStart: 0, runId: runId, createdAt: now))
                let rowEffects = Effects.of(concepts: row.concepts, weights: Array(weights[(j * k)..<((j + 1) * k)]))
                for (i, concept) in conceptNames.enumerated() {
                    effects.append(
                        EffectRecord(
                            excerptId: row.excerptId, trackId: row.trackId, modelId: model, output: name, concept: concept,
                            conceptValue: Double(row.concepts[i]), weight: Double(weights[j * k + i]),
                            effect: rowEffects.effect[i],
                            relativeEffect: rowEffects.relative[i], runId: runId))
                }
            }
        }
        let p = predictions
        let e = effects
        try writer.store.catalog.write { db in
            for row in p { try row.insert(db, onConflict: .ignore) }
            for row in e { try row.insert(db, onConflict: .ignore) }
        }
    }

    /// `infer` for a trained head on musicnn's embedding: embeddings from the cache (computed once),
    /// then the two linear layers; predictions and effects as for the RF-ResNet.
    private func runLinear(_ loaded: LoadedModel, start: Date, progressMode: ProgressReporter.Mode) throws -> Summary {
        let head = try MusicnnLinearModel(loaded)
        let backbone = try MusicnnBackbone.weights(for: loaded)
        let opened = try Store.open(at: store)
        let writer = try opened.writer()
        try loaded.register(
            in: opened.catalog, frontEnd: "mel:16000Hz:96x187",
            labels: CanonicalJSON.string(["concepts": head.conceptNames, "outputs": head.outputNames]))
        let runId = try writer.beginRun(
            command: "infer", parameters: parameters(model: loaded.id, batch: false), configHash: loaded.id)
        let done = try opened.catalog.read { db in
            Set(
                try Int64.fetchAll(
                    db, sql: "SELECT DISTINCT excerpt_id FROM predictions WHERE model_id = ?", arguments: [loaded.id]))
        }
        let cache = try EmbeddingCache.load(
            store: opened, writer: writer, backbone: backbone, source: .musicnn(head.features), partition: partition,
            runId: runId, progress: progressMode)
        let todo = cache.entries.filter { !done.contains($0.excerptId) }
        let skipped = cache.entries.count - todo.count
        var failures = TrackFailures(sources: try opened.catalog.trackSourcePaths())
        for failure in cache.failures { failures.add(trackId: failure.track, failure.reason) }
        var rows: [ExcerptResult] = []
        for e in todo {
            let r = head.predict(embedding: e.values)
            let row = ExcerptResult(excerptId: e.excerptId, trackId: e.trackId, concepts: r.concepts, outputs: r.output)
            do {
                try row.checkFinite(conceptNames: head.conceptNames, outputNames: head.outputNames, model: loaded.id)
                rows.append(row)
            } catch {
                failures.add(trackId: e.trackId, error)
            }
        }
        try Self.store(
            rows, conceptNames: head.conceptNames, outputNames: head.outputNames, model: loaded.id, weights: head.outputWeights,
            runId: runId, writer: writer)
        var summary = Summary(
            runId: runId, modelId: loaded.id, excerpts: cache.entries.count, skipped: skipped,
            outsidePartition: cache.outsidePartition)
        summary.inferred = rows.count
        summary.failures = failures.items
        summary.seconds = Date().timeIntervalSince(start)
        var counts = RunCounts()
        counts.processed = todo.count + cache.failures.count
        counts.succeeded = rows.count
        counts.failed = failures.count
        counts.skipped = skipped
        try failures.close(run: runId, counts: counts, writer: writer)
        return summary
    }
}

/// The paper's effects (Chowdhury et al. 2021, §3): the effect of concept c on an output is the
/// concept's value times the linear weight joining them; the relative effect divides by the sum of
/// the absolute effects on that output (0 when every effect is 0).
public enum Effects {
    public static func of(concepts: [Float], weights: [Float]) -> (effect: [Double], relative: [Double]) {
        precondition(concepts.count == weights.count, "one weight per concept")
        let effect = zip(concepts, weights).map { Double($0) * Double($1) }
        let total = effect.reduce(0) { $0 + abs($1) }
        return (effect, effect.map { total > 0 ? $0 / total : 0 })
    }
}
