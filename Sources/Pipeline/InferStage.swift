import Core
import Explain
import Foundation
import Inference
import Models
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
    private func parameters(model: String, batch: Bool) -> [String: String] {
        var p = ["model": model, "path": modelURL.path]
        if batch { p["batch"] = String(batchSize) }
        return p
    }

    /// A stored excerpt to run: its input array.
    struct Job {
        let excerptId: Int64
        let trackId: String
        let array: ArrayRecord
    }

    public func run(progressMode: ProgressReporter.Mode = .automatic) throws -> Summary {
        let loaded = try LoadedModel(contentsOf: modelURL)
        let predictor = try loaded.definition.excerptPredictor(loaded)
        switch predictor.input {
        case let .array(kind, rows, prepare):
            return try runOnArrays(
                loaded, predictor, kind: kind, rows: rows, prepare: prepare, progressMode: progressMode)
        case let .embedding(backbone, source):
            return try runOnEmbeddings(loaded, predictor, backbone: backbone, source: source, progressMode: progressMode)
        }
    }

    /// `infer` on stored arrays (the RF-ResNet on spectrograms), in batches of `batchSize`.
    private func runOnArrays(
        _ loaded: LoadedModel, _ predictor: any ExcerptPredictor, kind: String, rows: Int,
        prepare: (Tensor) throws -> [Float], progressMode: ProgressReporter.Mode
    ) throws -> Summary {
        var all: [ArrayRecord] = []
        var outside = 0
        var jobs: [Job] = []
        let run = try StageRun.begin(
            store: store, command: "infer", parameters: parameters(model: loaded.id, batch: true), partition: partition,
            configHash: loaded.id
        ) { writer in
            try loaded.register(with: writer)
            let catalog = writer.store.catalog
            (all, outside) = PartitionSelection.select(try catalog.excerptArrays(kind: kind), in: partition) { $0.trackId }
            let done = try catalog.excerptsWithPredictions(model: loaded.id)
            jobs = all.compactMap { a -> Job? in
                guard let e = a.excerptId, !done.contains(e) else { return nil }
                return Job(excerptId: e, trackId: a.trackId, array: a)
            }
            if let first = jobs.first, first.array.dimensions.first != rows {
                throw PipelineError.invalidOption(
                    "stored spectrograms have \(first.array.dimensions.first ?? 0) bands; the model expects \(rows): re-ingest with the paper's front end"
                )
            }
        }
        var summary = Summary(
            runId: run.runId, modelId: loaded.id, excerpts: all.count, skipped: all.count - jobs.count, outsidePartition: outside)
        run.counts.skipped = summary.skipped
        run.startProgress(label: "infer", total: jobs.count, mode: progressMode)
        try run.guarded {
            for batchStart in stride(from: 0, to: jobs.count, by: batchSize) {
                var ready: [Job] = []
                var inputs: [[Float]] = []
                for job in jobs[batchStart..<min(jobs.count, batchStart + batchSize)] {
                    do {
                        inputs.append(try prepare(try run.store.read(job.array)))
                        ready.append(job)
                    } catch {
                        run.fail(trackId: job.trackId, error)
                    }
                }
                guard !ready.isEmpty else { continue }
                let results = try predictor.predict(inputs)
                summary.inferred += try checkAndStore(
                    zip(ready, results).map { ($0.excerptId, $0.trackId, $1) }, predictor, loaded, run)
            }
        }
        try run.finish()
        summary.seconds = run.seconds
        summary.failures = run.failures.items
        return summary
    }

    /// `infer` on cached embeddings (a trained head): embeddings computed once by the backbone.
    private func runOnEmbeddings(
        _ loaded: LoadedModel, _ predictor: any ExcerptPredictor, backbone: LoadedModel, source: EmbeddingSource,
        progressMode: ProgressReporter.Mode
    ) throws -> Summary {
        let run = try StageRun.begin(
            store: store, command: "infer", parameters: parameters(model: loaded.id, batch: false), partition: partition,
            configHash: loaded.id
        ) { writer in try loaded.register(with: writer) }
        let done = try run.store.catalog.excerptsWithPredictions(model: loaded.id)
        let cache = try EmbeddingCache.load(
            store: run.store, writer: run.writer, backbone: backbone, source: source, partition: partition,
            runId: run.runId, progress: progressMode)
        let todo = cache.entries.filter { !done.contains($0.excerptId) }
        var summary = Summary(
            runId: run.runId, modelId: loaded.id, excerpts: cache.entries.count, skipped: cache.entries.count - todo.count,
            outsidePartition: cache.outsidePartition)
        for failure in cache.failures { run.fail(trackId: failure.track, reason: failure.reason, advance: false) }
        let results = try predictor.predict(todo.map(\.values))
        summary.inferred = try checkAndStore(
            zip(todo, results).map { ($0.excerptId, $0.trackId, $1) }, predictor, loaded, run)
        run.counts.processed = todo.count + cache.failures.count
        run.counts.skipped = summary.skipped
        try run.finish()
        summary.failures = run.failures.items
        summary.seconds = run.seconds
        return summary
    }

    /// Checks and stores the results of a batch; returns how many were stored. A result with a
    /// NaN or ±Inf value fails its excerpt.
    private func checkAndStore(
        _ results: [(excerptId: Int64, trackId: String, values: (concepts: [Float], outputs: [Float]))],
        _ predictor: any ExcerptPredictor, _ loaded: LoadedModel, _ run: StageRun
    ) throws -> Int {
        var rows: [ExcerptResult] = []
        for r in results {
            let row = ExcerptResult(
                excerptId: r.excerptId, trackId: r.trackId, concepts: r.values.concepts, outputs: r.values.outputs)
            do {
                try row.checkFinite(conceptNames: predictor.conceptNames, outputNames: predictor.outputNames, model: loaded.id)
                rows.append(row)
                run.succeeded()
            } catch {
                run.fail(trackId: r.trackId, error)
            }
        }
        try Self.store(
            rows, conceptNames: predictor.conceptNames, outputNames: predictor.outputNames, model: loaded.id,
            weights: predictor.conceptToOutputWeights, runId: run.runId, writer: run.writer)
        return rows.count
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
        try writer.store(predictions: predictions, effects: effects)
    }
}
