import Foundation
import Inference
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `stemtrace tag` with the bundled musicnn weights.
@Suite struct TagStageTests {
    @Test func tracksGetTopTagsWithScoresAndTooShortTracksAreReported() async throws {
        let root = try Fixtures.temporaryDirectory("tag")
        let corpus = root.appendingPathComponent("corpus")
        let storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("song.wav"), seconds: 8, seed: 61, tags: ["genre": "Folk"])
        try TestAudio.writeTone(corpus.appendingPathComponent("blip.wav"), seconds: 2, seed: 62)
        _ = try await IngestStage(options: IngestOptions(corpus: corpus, store: storeURL)).run(progressMode: .silent)

        let summary = try TagStage(store: storeURL, top: 4).run(progressMode: .silent)
        #expect(summary.tagged == 1 && summary.failures.count == 1)
        #expect(
            summary.failures.first?.reason.contains("short") == true || summary.failures.first?.reason.contains("47616") == true,
            "\(summary.failures)")
        let store = try Store.open(at: storeURL)
        let tags = try store.catalog.read { db in try TagRecord.fetchAll(db) }
        let musicnn = tags.filter { $0.source == "musicnn:\(summary.modelId)" }
        #expect(musicnn.count == 4)
        #expect(
            musicnn.allSatisfy {
                ($0.score ?? -1) > 0 && ($0.score ?? 2) < 1 && MusicnnModel.labels.map { $0.lowercased() }.contains($0.tag)
            })
        #expect(tags.contains { $0.source == "file" && $0.tag == "folk" }, "given tags stay beside the tagger's")

        // The stored tags are the tagger's top tags for the stored mix.
        let mixRow = try #require(
            try store.catalog.arrays(kind: "mix").first { row in musicnn.contains { $0.trackId == row.trackId } })
        let expected = try MusicnnTagger().tag(try store.read(mixRow).floats(), sampleRate: 22050).top(4)
        #expect(Set(expected.map { $0.label.lowercased() }) == Set(musicnn.map(\.tag)))

        let again = try TagStage(store: storeURL, top: 4).run(progressMode: .silent)
        #expect(again.tagged == 0 && again.skipped == 1)
        let models = try store.catalog.read { db in try ModelRecord.fetchAll(db) }
        #expect(models.map(\.kind) == ["musicnn"])
    }
}
