import Foundation
import GRDB
import Store
import TestSupport
import Testing

/// Same input, configuration and build ⇒ the same bytes, whatever the process, `--workers`,
/// thread count, batch size or partition (docs/ARCHITECTURE.md, "Determinism"). Every stage runs
/// as its own `stemtrace` process; results are compared bit for bit, keyed by content (excerpt
/// and array ids differ between stores).
@Suite struct DeterminismTests {
    let root: URL
    let corpus: URL
    let rfresnet = Fixtures.url("rfresnet/weights.safetensors")
    /// The committed trained head (musicnn features): a second model kind, explained through
    /// musicnn's own front end.
    let head = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/veracity-head/model.safetensors")

    init() throws {
        root = try Fixtures.temporaryDirectory("determinism")
        corpus = root.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 4, sampleRate: 44100, channels: 2, seed: 401)
        try TestAudio.writeTone(corpus.appendingPathComponent("b.flac"), seconds: 5, seed: 402, format: .flac16)
        try TestAudio.writeTone(corpus.appendingPathComponent("c.wav"), seconds: 7, sampleRate: 48000, seed: 403)
    }

    /// Runs one command, which must succeed.
    func run(_ arguments: [String], threads: Int) async throws {
        let result = try await BuiltTool.runDetached(
            arguments + ["--progress", "none"],
            environment: ["OMP_NUM_THREADS": String(threads), "OPENBLAS_NUM_THREADS": String(threads)])
        #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.output)")
    }

    /// Ingest, infer (RF-ResNet) and explain (trained head) a store in one way.
    /// Explain runs one lane per process thread, so the first way (1 thread) also has one lane.
    func build(_ store: URL, workers: Int, threads: Int, batch: Int, partition: String? = nil) async throws {
        let part = partition.map { ["--partition", $0] } ?? []
        try await run(
            [
                "ingest", corpus.path, "--store", store.path, "--separator", "builtin", "--workers", String(workers),
                "--stem-spectrograms",
            ] + part,
            threads: threads)
        try await run(
            ["infer", "--store", store.path, "--model", rfresnet.path, "--batch-size", String(batch)] + part, threads: threads)
        try await run(
            ["explain", "--store", store.path, "--model", head.path, "--batch-size", String(batch)]
                + (threads == 1 ? ["--lanes", "1"] : []) + part, threads: threads)
    }

    @Test func everyStageGivesTheSameBytesAcrossProcessesWorkersThreadsBatchesAndPartitions() async throws {
        let one = root.appendingPathComponent("one")
        try await build(one, workers: 1, threads: 1, batch: 1)
        let other = root.appendingPathComponent("other")
        try await build(other, workers: 2, threads: 2, batch: 4)
        let merged = root.appendingPathComponent("merged")
        for k in 0..<2 {
            let part = root.appendingPathComponent("part\(k)")
            try await build(part, workers: 2, threads: 2, batch: 3, partition: "\(k)/2")
            try await run(["merge", "--store", merged.path, part.path], threads: 2)
        }

        let reference = try Contents(store: one)
        // Per track: mix, spectrogram, 4 stems with their spectrograms, the masks and predictions.
        let arrayCount = reference.arrays.count
        #expect(arrayCount == 33)
        let predictionCount = reference.predictions.count
        #expect(predictionCount == 27, "the RF-ResNet's 7 concepts and 2 outputs per track")
        let explanationCount = reference.explanations.count
        #expect(explanationCount == 27 && !reference.weights.isEmpty)
        for (name, store) in [("--workers 2, 2 threads, batch 4", other), ("two partitions merged", merged)] {
            let contents = try Contents(store: store)
            #expect(
                contents.arrays == reference.arrays,
                "array checksums differ (\(name)): \(Self.diff(contents.arrays, reference.arrays))")
            #expect(
                contents.predictions == reference.predictions,
                "predictions differ (\(name)): \(Self.diff(contents.predictions, reference.predictions))")
            #expect(
                contents.effects == reference.effects,
                "effects differ (\(name)): \(Self.diff(contents.effects, reference.effects))")
            #expect(
                contents.explanations == reference.explanations,
                "explanation values differ (\(name)): \(Self.diff(contents.explanations, reference.explanations))")
            #expect(
                contents.weights == reference.weights,
                "explanation weights differ (\(name)): \(Self.diff(contents.weights, reference.weights))")
        }
    }

    /// The keys whose values differ or that only one side has (at most 5), for failure messages.
    static func diff<V: Equatable>(_ a: [String: V], _ b: [String: V]) -> String {
        let keys = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
        return "\(keys.count) keys, e.g. "
            + keys.prefix(5).map { "\($0): \(String(describing: a[$0])) vs \(String(describing: b[$0]))" }
            .joined(separator: "; ")
    }

    /// What a store holds, keyed by content and compared bit for bit.
    struct Contents: Equatable {
        var arrays: [String: String] = [:]
        var predictions: [String: UInt64] = [:]
        var effects: [String: [UInt64]] = [:]
        var explanations: [String: [UInt64?]] = [:]
        var weights: [String: UInt64] = [:]

        init(store url: URL) throws {
            let store = try Store.open(at: url)
            (arrays, predictions, effects, explanations, weights) = try store.catalog.read { db in
                var arrays: [String: String] = [:]
                for a in try ArrayRecord.fetchAll(db) {
                    arrays[[a.trackId, a.kind, a.name, a.producer, a.configHash].joined(separator: "|")] = a.checksum
                }
                var predictions: [String: UInt64] = [:]
                for p in try PredictionRecord.fetchAll(db) {
                    predictions[[p.trackId, p.modelId, p.kind, p.name].joined(separator: "|")] = p.value.bitPattern
                }
                var effects: [String: [UInt64]] = [:]
                for e in try EffectRecord.fetchAll(db) {
                    effects[[e.trackId, e.modelId, e.output, e.concept].joined(separator: "|")] = [
                        e.conceptValue.bitPattern, e.weight.bitPattern, e.effect.bitPattern, e.relativeEffect.bitPattern,
                    ]
                }
                var explanations: [String: [UInt64?]] = [:]
                var keys: [Int64: String] = [:]
                for x in try ExplanationRecord.fetchAll(db) {
                    let key = [x.trackId, x.configId, x.target].joined(separator: "|")
                    explanations[key] = [
                        x.prediction.bitPattern, x.intercept.bitPattern, x.fidelity.bitPattern, x.complexity?.bitPattern,
                        x.localPrediction.bitPattern,
                    ]
                    if let id = x.id { keys[id] = key }
                }
                var weights: [String: UInt64] = [:]
                for w in try ExplanationWeightRecord.fetchAll(db) {
                    weights["\(keys[w.explanationId] ?? "?")|\(w.component)"] = w.weight.bitPattern
                }
                return (arrays, predictions, effects, explanations, weights)
            }
        }
    }
}
