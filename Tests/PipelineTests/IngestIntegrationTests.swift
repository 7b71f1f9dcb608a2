import AudioIO
import DSP
import Foundation
import Store
import TestSupport
import Testing

@testable import Pipeline

#if canImport(Glibc)
    import Glibc
#endif

/// Ingest over a generated corpus with duplicates and every kind of bad file.
@Suite struct IngestIntegrationTests {
    let corpus: URL
    let storeURL: URL

    init() throws {
        let root = try Fixtures.temporaryDirectory("ingest")
        corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        let fm = FileManager.default
        try fm.createDirectory(at: corpus.appendingPathComponent("sub/deeper"), withIntermediateDirectories: true)
        // Good tracks: long stereo 44.1 kHz (middle excerpt), short mono (looped), FLAC in a subfolder.
        try TestAudio.writeTone(corpus.appendingPathComponent("long.wav"), seconds: 45, sampleRate: 44100, channels: 2, seed: 1)
        try TestAudio.writeTone(
            corpus.appendingPathComponent("short.wav"), seconds: 12, sampleRate: 22050, seed: 2,
            tags: ["genre": "Hip-Hop", "title": "Short"])
        try TestAudio.writeTone(
            corpus.appendingPathComponent("sub/deeper/third.flac"), seconds: 20, sampleRate: 48000,
            channels: 2, seed: 3, format: .flac16)
        // Duplicates: a byte copy, and the same 16-bit audio re-encoded losslessly as FLAC.
        try fm.copyItem(
            at: corpus.appendingPathComponent("short.wav"), to: corpus.appendingPathComponent("sub/copy-of-short.wav"))
        try TestAudio.writeTone(
            corpus.appendingPathComponent("short-as-flac.flac"), seconds: 12, sampleRate: 22050, seed: 2,
            format: .flac16)
        // Bad input.
        fm.createFile(atPath: corpus.appendingPathComponent("zero.wav").path, contents: Data())
        try Data("definitely not audio\n".utf8).write(to: corpus.appendingPathComponent("notes.mp3"))
        try AudioWriter.write(
            [Float](repeating: 0, count: 22050), channels: 1, sampleRate: 22050, format: .wav16,
            to: corpus.appendingPathComponent("silent.wav").path)
        var nan = TestAudio.tone(seconds: 1, sampleRate: 22050, seed: 9)
        nan[500] = .infinity
        try AudioWriter.write(
            nan, channels: 1, sampleRate: 22050, format: .wavFloat, to: corpus.appendingPathComponent("inf.wav").path)
        try TestAudio.writeTone(corpus.appendingPathComponent("truncated.flac"), seconds: 5, seed: 7, format: .flac16)
        let whole = try Data(contentsOf: corpus.appendingPathComponent("truncated.flac"))
        try whole.prefix(whole.count / 3).write(to: corpus.appendingPathComponent("truncated.flac"))
        // A folder with an audio extension is a folder (searched, not decoded); a FIFO is named as one.
        try fm.createDirectory(at: corpus.appendingPathComponent("folder.ogg"), withIntermediateDirectories: true)
        #expect(mkfifo(corpus.appendingPathComponent("pipe.wav").path, 0o644) == 0)
        try Data("ignored: not an audio extension".utf8).write(to: corpus.appendingPathComponent("readme.txt"))
        try "file,genre,mood\nlong.wav,Rock;Pop,happy\nthird.flac,jazz,calm\n".write(
            to: corpus.appendingPathComponent("meta.csv"), atomically: true, encoding: .utf8)
    }

    func ingest() async throws -> IngestSummary {
        var options = IngestOptions(corpus: corpus, store: storeURL)
        options.workers = 2
        options.batchSize = 3
        options.metadataCSV = corpus.appendingPathComponent("meta.csv")
        return try await IngestStage(options: options).run(progressMode: .silent)
    }

    @Test func ingestStoresGoodTracksOnceAndReportsEveryBadFile() async throws {
        let summary = try await ingest()
        #expect(summary.found == 11)
        #expect(summary.counts.succeeded == 3)
        #expect(summary.counts.duplicates == 2)
        #expect(summary.counts.failed == 6)
        let reasons = Dictionary(
            uniqueKeysWithValues: summary.failures.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason) })
        #expect(reasons["zero.wav"]?.contains("empty") == true)
        #expect(reasons["pipe.wav"] == "not a regular file: a FIFO (named pipe)")
        #expect(reasons["notes.mp3"]?.contains("undecodable") == true)
        #expect(reasons["silent.wav"]?.contains("silent") == true)
        #expect(reasons["inf.wav"]?.contains("non-finite") == true)
        #expect(reasons["truncated.flac"] != nil)
        #expect(reasons["folder.ogg"] == nil)

        let store = try Store.open(at: storeURL)
        let info = try StoreInfo.gather(store)
        #expect(info.tracks == 3 && info.sources == 5 && info.excerpts == 3)
        #expect(info.kinds.map(\.kind) == ["logfiltspec", "mix"] && info.kinds.allSatisfy { $0.count == 3 })
        let runs = try store.catalog.runs()
        #expect(runs.count == 1 && runs[0].status == "completed_with_failures" && runs[0].failed == 6)
        #expect(try store.catalog.failures(run: try #require(runs[0].id)).count == 6)
        #expect(try !StoreVerifier(store: store).verify().isCorrupt)
    }

    @Test func excerptsFollowTheChosenWindowAndStoredSpectrogramIsTheFrontEndOutput() async throws {
        _ = try await ingest()
        let store = try Store.open(at: storeURL)
        let excerpts = try store.catalog.read { db in try ExcerptRecord.fetchAll(db) }
        let long = try #require(excerpts.first { $0.sampleCount == 882_000 })
        // 45 s at 44.1 kHz → 992 250 samples at 22.05 kHz; the middle 40 s starts at (992250 - 882000) / 2.
        #expect(long.startSample == 55_125 && !long.looped && long.frameCount == 1252 && long.policy == "middle")
        let short = try #require(excerpts.first { $0.sampleCount == 264_600 })
        #expect(short.looped && short.startSample == 0 && short.frameCount == 376)

        for excerpt in excerpts {
            let arrays = try store.catalog.arrays(track: excerpt.trackId)
            let mix = try store.read(try #require(arrays.first { $0.kind == "mix" })).floats()
            let spec = try store.read(try #require(arrays.first { $0.kind == "logfiltspec" }))
            #expect(mix.count == excerpt.sampleCount)
            #expect(spec.shape == [149, excerpt.frameCount])
            let recomputed = try LogFilteredSpectrogram().compute(mix)
            #expect(try spec.floats() == recomputed.values, "stored spectrogram is bit-identical to the front end's")
        }
    }

    @Test func metadataFromFileTagsAndCSVBecomeTags() async throws {
        _ = try await ingest()
        let store = try Store.open(at: storeURL)
        let tags = try store.catalog.read { db in try TagRecord.fetchAll(db) }
        let bySource = Dictionary(grouping: tags, by: \.source).mapValues { Set($0.map(\.tag)) }
        #expect(bySource["file"] == ["hip-hop"])
        #expect(bySource["csv"] == ["rock", "pop", "jazz"])
        let moods = try store.catalog.read { db in
            try TrackMetadataRecord.filter(sql: "key = 'mood'").fetchAll(db).map(\.value)
        }
        #expect(Set(moods) == ["happy", "calm"])
    }

    @Test func rerunSkipsUnchangedFilesAndStoresNothingTwice() async throws {
        _ = try await ingest()
        let again = try await ingest()
        #expect(again.counts.skipped == 5)
        #expect(again.counts.succeeded == 0 && again.counts.duplicates == 0)
        #expect(again.counts.failed == 6)
        let info = try StoreInfo.gather(try Store.open(at: storeURL))
        #expect(info.tracks == 3 && info.kinds.allSatisfy { $0.count == 3 })
        #expect(info.runs == 2)
    }

    @Test func anotherExcerptPolicyAddsExcerptsButNoTracks() async throws {
        _ = try await ingest()
        var options = IngestOptions(corpus: corpus, store: storeURL)
        options.frontEnd = FrontEndConfig(excerptPolicy: .start)
        let summary = try await IngestStage(options: options).run(progressMode: .silent)
        #expect(summary.counts.succeeded == 3 && summary.counts.duplicates == 2)
        let info = try StoreInfo.gather(try Store.open(at: storeURL))
        #expect(info.tracks == 3 && info.excerpts == 6)
    }
}
