import Core
import Foundation
import Inference
import Models
import Store

/// `stemtrace train`: the paper's explainable layers fitted on a frozen backbone's embedding.
///
/// 1. Embeddings: the backbone's pooled features of every excerpt (`EmbeddingCache`, computed
///    once and stored), averaged per track — musicnn's penultimate (default) or pooled front-end
///    features, or an RF-ResNet checkpoint's globally pooled conv trunk.
/// 2. Mid-level layer: ridge (intercept unpenalised, features standardised and folded back)
///    from the embedding to the 7 concepts, on the tracks with all 7 mid-level labels.
///    A concept whose cross-validated R² is not above 0 (the embedding does not predict it) is
///    then made exactly constant, its training mean (`RidgeRegression.predictingMeans`): ridge
///    with a large α only shrinks it, and the emotion layer, which standardises its inputs, would
///    scale the small remainder back up and so read other information under that concept's name
///    (found by tools/replay_section5: a weight of −7.6 on a concept with R² −0.09).
///    `keepUnlearnedConcepts` keeps the shrunk fit instead.
/// 3. Emotion layer: ridge from the *predicted* concepts to arousal and valence, on the tracks
///    with both emotion labels, so the linear connection the effects rely on stays exact. A
///    constant concept gets weight 0 there.
/// Each layer's α is chosen by k-fold cross-validation (`RidgeCrossValidation`), per target
/// unless `alphaPerTarget` is false, with folds that
/// keep every group (e.g. artist, from a metadata column) in one fold when `groupColumn` is set,
/// as the paper splits by artist. Labels are the stored ones (`stemtrace labels import`, on
/// [-1, 1]). The model file holds both layers and, in its metadata, the names, the backbone
/// weights' hash and both cross-validation reports (the paper's Table 1): a `musicnn-linear` head
/// for musicnn, and for an RF-ResNet the whole checkpoint with its `concepts_layer` and
/// `feed_forward` replaced by the fitted layers (with intercepts), which infer and explain run
/// like any RF-ResNet.
public struct TrainStage: Sendable {
    public struct Summary: Sendable {
        public var modelURL: URL
        public var modelId: String
        public var midlevel: TrainingReport
        public var emotion: TrainingReport
        public var embeddingsComputed: Int
        public var ungrouped: Int
        /// Labelled tracks left out because they have no embedding (no stored excerpt mix, or too
        /// short for one 3-s patch), with the reason when one was recorded.
        public var withoutEmbedding: [(track: String, reason: String)]
        /// Concepts made constant (their training mean) because the embedding does not predict them.
        public var constantConcepts: [String] = []
    }

    public var store: URL
    public var output: URL
    public var folds = 5
    public var seed: UInt64 = 0
    public var groupColumn: String?
    /// One α per target (default) or one for all targets of a layer.
    public var alphaPerTarget = true
    /// The frozen network whose embedding the layers read.
    public var backbone: TrainingBackbone = .musicnn(.penultimate)
    /// Keep the mid-level fit of concepts with cross-validated R² ≤ 0 instead of making them
    /// constant (how heads were trained before; `--keep-unlearned-concepts`).
    public var keepUnlearnedConcepts = false
    /// Marks the model file as a demonstration model (metadata `demonstration` = `true`): reports
    /// and `explain show` then say so beside its name.
    public var demonstration = false

    public init(store: URL, output: URL) {
        self.store = store
        self.output = output
    }

    public static let conceptNames = RFResNet.conceptNames
    public static let outputNames = RFResNet.outputNames

    public func run(progressMode: ProgressReporter.Mode = .automatic) throws -> Summary {
        let backbone = try self.backbone.load()
        let run = try StageRun.begin(
            store: store, command: "train",
            parameters: [
                "folds": String(folds), "seed": String(seed), "group": groupColumn ?? "",
                "alpha": alphaPerTarget ? "per-target" : "shared",
                "unlearned": keepUnlearnedConcepts ? "kept" : "constant",
            ],
            partition: nil, configHash: backbone.id)
        let (opened, writer, runId) = (run.store, run.writer, run.runId)
        var labels: [String: [String: [Double]]] = [:]
        for row in try opened.catalog.labels() { labels[row.trackId, default: [:]][row.name, default: []].append(row.value) }
        let groups = try groupColumn.map { try opened.catalog.metadataValues(key: $0) } ?? [:]
        guard !labels.isEmpty else {
            throw PipelineError.invalidOption(
                "\(store.path) has no labels; import them first with stemtrace labels import FILE.csv")
        }
        for (track, values) in labels {
            for (name, list) in values where list.contains(where: { abs($0) > 1 + 1e-12 }) {
                throw PipelineError.invalidOption(
                    "label \(name) of track \(track) is \(list[0]), outside [-1, 1]: labels must be stored rescaled (stemtrace labels import --scale)"
                )
            }
        }
        let cache = try EmbeddingCache.load(
            store: opened, writer: writer, backbone: backbone, source: self.backbone.embeddingSource, runId: runId,
            progress: progressMode)
        if cache.entries.isEmpty, let first = cache.failures.first {
            throw PipelineError.invalidOption(
                "no embedding could be computed (\(cache.failures.count) excerpts failed); track \(first.track.prefix(12)): \(first.reason)"
            )
        }
        var perTrack: [String: [[Float]]] = [:]
        for e in cache.entries { perTrack[e.trackId, default: []].append(e.values) }
        let embeddings = perTrack.mapValues { list -> [Double] in
            (0..<list[0].count).map { i in list.reduce(0) { $0 + Double($1[i]) } / Double(list.count) }
        }
        func mean(_ track: String, _ name: String) -> Double? {
            guard let v = labels[track]?[name], !v.isEmpty else { return nil }
            return v.reduce(0, +) / Double(v.count)
        }
        /// A track without a value in the group column is a group of its own.
        func groupOf(_ track: String) -> String { groups[track] ?? "track:" + track }

        // Mid-level layer.
        let midTracks = embeddings.keys.sorted().filter { t in Self.conceptNames.allSatisfy { mean(t, $0) != nil } }
        guard !midTracks.isEmpty else {
            let names = Set(labels.values.flatMap(\.keys)).sorted()
            throw PipelineError.invalidOption(
                "no track has an embedding and all 7 mid-level labels (\(Self.conceptNames.joined(separator: ", "))); labels found: \(names.joined(separator: ", "))"
            )
        }
        let d = embeddings[midTracks[0]]?.count ?? 0
        let midSet = try TrainingSet(
            features: midTracks.flatMap { embeddings[$0] ?? [] }, featureCount: d,
            targets: midTracks.flatMap { t in Self.conceptNames.map { mean(t, $0) ?? 0 } }, targetNames: Self.conceptNames,
            groups: groupColumn == nil ? nil : midTracks.map(groupOf))
        let cv = try RidgeCrossValidation(foldCount: folds, seed: seed, alphaPerTarget: alphaPerTarget)
        let midFit = try cv.run(midSet)
        let unlearned = keepUnlearnedConcepts ? [] : Self.unlearnedConcepts(midFit.report)
        let midModel = midFit.model.predictingMeans(of: Set(unlearned))
        let mid = (model: midModel, report: midFit.report)

        // Emotion layer on the predicted concepts.
        let emoTracks = embeddings.keys.sorted().filter { t in Self.outputNames.allSatisfy { mean(t, $0) != nil } }
        guard !emoTracks.isEmpty else {
            throw PipelineError.invalidOption("no track has an embedding and both emotion labels (arousal, valence)")
        }
        let predicted = try mid.model.predict(emoTracks.flatMap { embeddings[$0] ?? [] })
        let emoSet = try TrainingSet(
            features: predicted, featureCount: Self.conceptNames.count,
            targets: emoTracks.flatMap { t in Self.outputNames.map { mean(t, $0) ?? 0 } }, targetNames: Self.outputNames,
            groups: groupColumn == nil ? nil : emoTracks.map(groupOf))
        let emo = try cv.run(emoSet)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let report = String(
            decoding: (try? encoder.encode(["midlevel": mid.report, "emotion": emo.report])) ?? Data(), as: UTF8.self)
        let layers = TrainedLayers(
            conceptWeights: mid.model.weights.map { Float($0) }, conceptBias: mid.model.bias.map { Float($0) },
            outputWeights: emo.model.weights.map { Float($0) }, outputBias: emo.model.bias.map { Float($0) })
        let (tensors, kindMetadata) = try self.backbone.modelFile(layers, backbone: backbone)
        let metadata: [String: String] = [
            "backbone": backbone.id, "concepts": CanonicalJSON.string(Self.conceptNames),
            "outputs": CanonicalJSON.string(Self.outputNames), "report": report, "folds": String(folds), "seed": String(seed),
            "group_column": groupColumn ?? "", "tracks_midlevel": String(midTracks.count),
            "tracks_emotion": String(emoTracks.count),
            "constant_concepts": CanonicalJSON.string(unlearned.map { Self.conceptNames[$0] }),
        ].merging(demonstration ? ["demonstration": "true"] : [:]) { a, _ in a }
        try Safetensors.write(tensors, metadata: metadata.merging(kindMetadata) { _, new in new }, to: output)
        let written = try LoadedModel(contentsOf: output)
        // Tracks without an embedding are reported in the summary; the run itself completed.
        run.counts.processed = embeddings.count
        run.counts.succeeded = Set(midTracks + emoTracks).count
        run.counts.failed = cache.failures.count
        try writer.updateRun(runId, counts: run.counts, status: "completed")
        let ungrouped = groupColumn == nil ? 0 : Set(midTracks + emoTracks).filter { groups[$0] == nil }.count
        let failed = Dictionary(cache.failures.map { ($0.track, $0.reason) }) { a, _ in a }
        let missing = labels.keys.filter { embeddings[$0] == nil }.sorted().map { ($0, failed[$0] ?? "no stored excerpt mix") }
        return Summary(
            modelURL: output, modelId: written.id, midlevel: mid.report, emotion: emo.report, embeddingsComputed: cache.computed,
            ungrouped: ungrouped, withoutEmbedding: missing, constantConcepts: unlearned.map { Self.conceptNames[$0] })
    }

    /// Indices of the concepts whose mean cross-validated R² is not above 0 (or undefined).
    static func unlearnedConcepts(_ report: TrainingReport) -> [Int] {
        report.targets.enumerated().compactMap { i, t in (t.r2Mean ?? 0) > 0 ? nil : i }
    }
}
