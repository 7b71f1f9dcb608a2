import DSP
import Foundation
import GRDB
import Inference
import Store

/// `stemtrace infer`: mid-level concepts and emotion outputs of the paper's RF-ResNet for every
/// stored excerpt, plus the paper's effects (concept value × the weight joining it to an output)
/// and relative effects (effect ÷ Σ|effects| of that output). Results are stored under the
/// model's content hash: another model adds rows, the same model skips excerpts it has done.
/// The weights and the stored input size are checked before any work.
public struct InferStage: Sendable {
    public struct Summary: Sendable {
        public var runId: Int64
        public var modelId: String
        public var excerpts = 0
        public var inferred = 0
        public var skipped = 0
        public var seconds = 0.0
    }

    public let store: URL
    public let modelURL: URL
    public var batchSize: Int

    public init(store: URL, model: URL, batchSize: Int = 4) {
        self.store = store
        self.modelURL = model
        self.batchSize = max(1, batchSize)
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
        guard loaded.kind == .rfresnet else {
            throw PipelineError.invalidOption(
                "\(modelURL.path) is a \(loaded.kind.rawValue) model; infer runs the RF-ResNet (use `stemtrace tag` for musicnn)")
        }
        let model = try RFResNet(weights: loaded.tensors)
        let opened = try Store.open(at: store)
        let writer = try opened.writer()
        let bands = LogarithmicFilterbank().bandCount
        let width = SpectrogramConfig.paper.modelInputFrames
        try loaded.register(
            in: opened.catalog, frontEnd: "logfiltspec:\(bands)x\(width)",
            labels: CanonicalJSON.string(["concepts": RFResNet.conceptNames, "outputs": RFResNet.outputNames]))

        let all = try opened.catalog.read { db in
            try ArrayRecord.filter(Column("kind") == "logfiltspec" && Column("producer") == "" && Column("excerpt_id") != nil)
                .order(Column("id")).fetchAll(db)
        }
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
            command: "infer",
            parameters: CanonicalJSON.string(["model": loaded.id, "path": modelURL.path, "batch": String(batchSize)]),
            configHash: loaded.id)
        var summary = Summary(runId: runId, modelId: loaded.id, excerpts: all.count, skipped: all.count - jobs.count)
        let progress = ProgressReporter(label: "infer", total: jobs.count, mode: progressMode)
        for batchStart in stride(from: 0, to: jobs.count, by: batchSize) {
            let batch = Array(jobs[batchStart..<min(jobs.count, batchStart + batchSize)])
            var input = [Float]()
            input.reserveCapacity(batch.count * bands * width)
            for job in batch {
                let t = try opened.read(job.array)
                let spec = Spectrogram(bandCount: t.shape[0], frameCount: t.shape[1], values: try t.floats())
                input += spec.modelInput(length: width).values
            }
            let result = try model.forward(
                FeatureMap(batch: batch.count, channels: 1, height: bands, width: width, values: input))
            try store(result, for: batch, model: loaded.id, weights: model.conceptToOutputWeights, runId: runId, writer: writer)
            summary.inferred += batch.count
            for _ in batch { progress.advance() }
        }
        progress.finish()
        summary.seconds = Date().timeIntervalSince(start)
        var counts = RunCounts()
        counts.processed = jobs.count
        counts.succeeded = summary.inferred
        counts.skipped = summary.skipped
        try writer.updateRun(runId, counts: counts, status: "completed")
        return summary
    }

    private func store(
        _ result: RFResNet.Result, for batch: [Job], model: String, weights: [Float], runId: Int64,
        writer: StoreWriter
    ) throws {
        let now = Timestamp.now()
        let concepts = RFResNet.conceptNames
        let outputs = RFResNet.outputNames
        var predictions: [PredictionRecord] = []
        var effects: [EffectRecord] = []
        for (n, job) in batch.enumerated() {
            let c = Array(result.concepts[(n * concepts.count)..<((n + 1) * concepts.count)])
            let o = Array(result.output[(n * outputs.count)..<((n + 1) * outputs.count)])
            for (i, name) in concepts.enumerated() {
                predictions.append(
                    PredictionRecord(
                        excerptId: job.excerptId, trackId: job.trackId, modelId: model, kind: "concept",
                        name: name, value: Double(c[i]), inputStart: 0, runId: runId, createdAt: now))
            }
            for (j, name) in outputs.enumerated() {
                predictions.append(
                    PredictionRecord(
                        excerptId: job.excerptId, trackId: job.trackId, modelId: model, kind: "output",
                        name: name, value: Double(o[j]), inputStart: 0, runId: runId, createdAt: now))
                let rowEffects = Effects.of(
                    concepts: c, weights: Array(weights[(j * concepts.count)..<((j + 1) * concepts.count)]))
                for (i, concept) in concepts.enumerated() {
                    effects.append(
                        EffectRecord(
                            excerptId: job.excerptId, trackId: job.trackId, modelId: model, output: name,
                            concept: concept, conceptValue: Double(c[i]), weight: Double(weights[j * concepts.count + i]),
                            effect: rowEffects.effect[i], relativeEffect: rowEffects.relative[i], runId: runId))
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
