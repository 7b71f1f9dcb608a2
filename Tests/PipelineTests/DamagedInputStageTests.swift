import Core
import Foundation
import GRDB
import Inference
import TestSupport
import Testing

@testable import Pipeline
@testable import Store

/// Stages over a store go on past one bad item: a damaged record, an excerpt the model cannot
/// take, or a model that gives NaN or ±Inf is named by its track, recorded in `run_failures`,
/// and the command exits with status 2 — while every other track is processed.
@Suite struct DamagedInputStageTests {
    let root: URL
    let corpus: URL
    let storeURL: URL
    let weights = Fixtures.url("rfresnet/weights.safetensors")

    init() async throws {
        root = try Fixtures.temporaryDirectory("damaged")
        corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for (n, name) in ["a", "b", "c"].enumerated() {
            try TestAudio.writeTone(corpus.appendingPathComponent("\(name).wav"), seconds: 6, seed: 80 + n)
        }
        var options = IngestOptions(corpus: corpus, store: storeURL)
        options.workers = 1
        _ = try await IngestStage(options: options).run(progressMode: .silent)
    }

    /// Flips a payload byte of track `name`'s array of `kind`; returns the track id.
    @discardableResult
    func damage(_ name: String, kind: String) throws -> String {
        let store = try Store.open(at: storeURL)
        let path = corpus.appendingPathComponent("\(name).wav").standardizedFileURL.path
        let track = try #require(try store.catalog.trackSourcePaths().first { $0.value == path }?.key)
        let row = try #require(try store.catalog.arrays(kind: kind, track: track).first)
        let shard = ShardFile.url(row.shard, in: store.shardDirectory)
        let handle = try FileHandle(forUpdating: shard)
        let at = UInt64(row.offset) + UInt64(row.length) - 12
        try handle.seek(toOffset: at)
        let byte = try #require(try handle.read(upToCount: 1)).first ?? 0
        try handle.seek(toOffset: at)
        try handle.write(contentsOf: Data([byte ^ 0x5A]))
        try handle.close()
        return track
    }

    func failures(run: Int64) throws -> [RunFailureRecord] { try Store.open(at: storeURL).catalog.failures(run: run) }

    @Test func inferNamesTheDamagedTrackAndInfersTheOthers() throws {
        try damage("b", kind: "logfiltspec")
        let summary = try InferStage(store: storeURL, model: weights).run(progressMode: .silent)
        #expect(summary.inferred == 2)
        #expect(summary.failures.count == 1)
        #expect(summary.failures.first?.track.hasSuffix("/b.wav") == true)
        #expect(summary.failures.first?.reason.contains("checksum mismatch") == true, "\(summary.failures)")
        let recorded = try failures(run: summary.runId)
        #expect(recorded.count == 1 && recorded[0].path.hasSuffix("/b.wav"))
        let run = try #require(try Store.open(at: storeURL).catalog.runs().last)
        #expect(run.status == "completed_with_failures" && run.failed == 1 && run.succeeded == 2)

        let cli = try BuiltTool.run(["infer", "--store", storeURL.path, "--model", weights.path, "--progress", "none"])
        #expect(cli.status == 2, "\(cli.output)")
        #expect(
            cli.output.contains("0 excerpts inferred, 2 already done, 1 failed") && cli.output.contains("b.wav"), "\(cli.output)")
    }

    @Test func nonFiniteOutputsAreRefusedNamingModelExcerptAndTargetAndNeverStored() throws {
        // Finite weights that overflow: the first convolution's every weight at 3e38.
        var tensors = try Safetensors.read(contentsOf: weights)
        let first = try #require(tensors["in_c.0.weight"])
        tensors["in_c.0.weight"] = Tensor(floats: [Float](repeating: 3e38, count: first.count), shape: first.shape)
        let huge = root.appendingPathComponent("huge.safetensors")
        try Safetensors.write(tensors, to: huge)
        let summary = try InferStage(store: storeURL, model: huge).run(progressMode: .silent)
        #expect(summary.inferred == 0 && summary.failures.count == 3)
        for failure in summary.failures {
            #expect(failure.reason.contains("model \(summary.modelId)") && failure.reason.contains("excerpt "))
            #expect(failure.reason.contains("NaN or infinite value for target '"), "\(failure.reason)")
        }
        let stored = try Store.open(at: storeURL).catalog.read { db in
            (try PredictionRecord.fetchCount(db), try EffectRecord.fetchCount(db))
        }
        #expect(stored == (0, 0), "no non-finite prediction or effect is stored, and none is dropped silently")
    }

    @Test func inferWithATrainedHeadCountsAndNamesExcerptsTooShortForIt() async throws {
        try TestAudio.writeTone(corpus.appendingPathComponent("blip.wav"), seconds: 2, seed: 99)
        _ = try await IngestStage(options: IngestOptions(corpus: corpus, store: storeURL)).run(progressMode: .silent)
        let head = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models/veracity-head/model.safetensors")
        let cli = try BuiltTool.run(["infer", "--store", storeURL.path, "--model", head.path, "--progress", "none"])
        #expect(cli.status == 2, "\(cli.output)")
        #expect(cli.output.contains("3 excerpts inferred, 0 already done, 1 failed"), "\(cli.output)")
        #expect(cli.output.contains("blip.wav"), "\(cli.output)")
    }

    @Test func tagNamesTheDamagedTrackAndTagsTheOthers() throws {
        try damage("a", kind: "mix")
        let summary = try TagStage(store: storeURL, top: 3).run(progressMode: .silent)
        #expect(summary.tagged == 2 && summary.failures.count == 1)
        #expect(summary.failures.first?.track.hasSuffix("/a.wav") == true, "\(summary.failures)")
        let cli = try BuiltTool.run(["tag", "--store", storeURL.path, "--progress", "none"])
        #expect(cli.status == 2 && cli.output.contains("a.wav"), "\(cli.output)")
    }

    @Test func arrayExportWritesEveryReadableArrayAndNamesTheDamagedOne() throws {
        try damage("c", kind: "mix")
        let out = root.appendingPathComponent("export")
        let cli = try BuiltTool.run(["arrays", "export", "--store", storeURL.path, "--kind", "mix", "--output", out.path])
        #expect(cli.status == 2, "\(cli.output)")
        #expect(cli.output.contains("wrote 2 safetensors files") && cli.output.contains("c.wav"), "\(cli.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).count == 2)
    }

    @Test func verifyAndExportSurviveARowClaimingAHundredGigabytes() throws {
        let store = try Store.open(at: storeURL)
        try store.catalog.write { db in
            try db.execute(
                sql: "UPDATE arrays SET length = 100000000000 WHERE id = (SELECT min(id) FROM arrays WHERE kind = 'mix')")
        }
        let verify = try BuiltTool.run(["verify", "--store", storeURL.path])
        #expect(verify.status == 1 && verify.output.contains("100000000000 bytes"), "\(verify.output)")
        let out = root.appendingPathComponent("export-huge")
        let export = try BuiltTool.run(["arrays", "export", "--store", storeURL.path, "--kind", "mix", "--output", out.path])
        #expect(export.status == 2 && export.output.contains("wrote 2 safetensors files"), "\(export.output)")
        let infer = try BuiltTool.run(["infer", "--store", storeURL.path, "--model", weights.path, "--progress", "none"])
        #expect(infer.status == 0, "the spectrograms are intact: \(infer.output)")

        // A spectrogram row claiming 100 GB: infer names its track and infers the others.
        let path = corpus.appendingPathComponent("b.wav").standardizedFileURL.path
        let track = try #require(try store.catalog.trackSourcePaths().first { $0.value == path }?.key)
        try store.catalog.write { db in
            try db.execute(
                sql: "UPDATE arrays SET length = 100000000000 WHERE kind = 'logfiltspec' AND track_id = ?", arguments: [track])
        }
        let other = root.appendingPathComponent("other.safetensors")
        var tensors = try Safetensors.read(contentsOf: weights)
        let fw = try #require(tensors["feed_forward.weight"])
        tensors["feed_forward.weight"] = Tensor(floats: try fw.floats().map { $0 * 2 }, shape: fw.shape)
        try Safetensors.write(tensors, to: other)
        let second = try BuiltTool.run(["infer", "--store", storeURL.path, "--model", other.path, "--progress", "none"])
        #expect(second.status == 2, "\(second.output)")
        #expect(second.output.contains("2 excerpts inferred") && second.output.contains("b.wav"), "\(second.output)")
        #expect(second.output.contains("100000000000 bytes"), "\(second.output)")
    }
}
