import AudioIO
import Core
import DSP
import Foundation
import Separation
import Store
import TestSupport
import Testing

@testable import Pipeline

/// Ingest with separation: built-in stems, several separators side by side, a failing external
/// tool, and imported stems.
@Suite struct IngestSeparationTests {
    let root: URL
    let corpus: URL
    let storeURL: URL

    init() throws {
        root = try Fixtures.temporaryDirectory("ingest-sep")
        corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("long.wav"), seconds: 44, sampleRate: 44100, channels: 2, seed: 31)
        try TestAudio.writeTone(corpus.appendingPathComponent("short.flac"), seconds: 9, seed: 32, format: .flac16)
    }

    func ingest(
        _ separator: (any Separator)?, corpus: URL? = nil, mixturesOnly: Bool = false, stemSpectrograms: Bool = true
    ) async throws -> IngestSummary {
        var options = IngestOptions(corpus: corpus ?? self.corpus, store: storeURL)
        options.mixturesOnly = mixturesOnly
        options.stemSpectrograms = stemSpectrograms
        return try await IngestStage(options: options, separator: separator).run(progressMode: .silent)
    }

    @Test func stemSpectrogramsAreOnlyStoredWhenAskedFor() async throws {
        _ = try await ingest(BandsplitSeparator(), stemSpectrograms: false)
        let store = try Store.open(at: storeURL)
        #expect(try store.catalog.arrays(kind: "stem").count == 8)
        #expect(try store.catalog.arrays(kind: "stem_logfiltspec").isEmpty)
    }

    @Test func builtinStemsAreStoredWithSpectrogramsAndSumToTheMix() async throws {
        let separator = BandsplitSeparator()
        let summary = try await ingest(separator)
        #expect(summary.counts.succeeded == 2 && summary.counts.failed == 0)
        let store = try Store.open(at: storeURL)
        let info = try StoreInfo.gather(store)
        #expect(info.separators == [.init(id: separator.identity.id, tracks: 2, stems: ["bass", "drums", "other", "vocals"])])
        #expect(try store.catalog.separators().map(\.id) == [separator.identity.id])
        for track in try store.catalog.arrays(kind: "mix") {
            let mix = try store.read(track).floats()
            let stems = try store.catalog.arrays(kind: "stem", track: track.trackId)
            #expect(
                stems.count == 4 && stems.allSatisfy { $0.producer == separator.identity.id && $0.excerptId == track.excerptId })
            var sum = [Float](repeating: 0, count: mix.count)
            for row in stems {
                let signal = try store.read(row).floats()
                for i in 0..<mix.count { sum[i] += signal[i] }
                let spec = try #require(
                    try store.catalog.arrays(kind: "stem_logfiltspec", track: track.trackId).first { $0.name == row.name })
                #expect(try store.read(spec).floats() == (try LogFilteredSpectrogram().compute(signal).values))
            }
            #expect(worstDifference(sum, mix).error <= 1e-5)
        }
    }

    @Test func rerunsSkipAndASecondSeparatorAddsOnlyItsStems() async throws {
        _ = try await ingest(BandsplitSeparator())
        #expect(try await ingest(BandsplitSeparator()).counts.skipped == 2)
        #expect(try await ingest(nil).counts.skipped == 2)
        var parameters = BandsplitSeparator.Parameters()
        parameters.highTimeKernel = 31
        let second = BandsplitSeparator(parameters: parameters)
        let summary = try await ingest(second)
        #expect(summary.counts.succeeded == 2 && summary.counts.skipped == 0)
        let info = try StoreInfo.gather(try Store.open(at: storeURL))
        #expect(info.tracks == 2 && info.excerpts == 2)
        #expect(info.kinds.first { $0.kind == "mix" }?.count == 2)
        #expect(info.kinds.first { $0.kind == "stem" }?.count == 16)
        #expect(info.separators.count == 2)
    }

    @Test func failingExternalToolFailsOnlyItsTrackAndStoresNothingForIt() async throws {
        let script = root.appendingPathComponent("fake-separator.sh")
        // The short track's "other" is silence, its "vocals" the excerpt itself.
        let silence = root.appendingPathComponent("silence.wav")
        try AudioWriter.write(
            [Float](repeating: 0, count: 9 * 22_050), channels: 1, sampleRate: 22_050, format: .wavFloat, to: silence.path)
        try """
        #!/bin/bash
        # The input is named by track id, so the long track is told apart by its size (40 s vs 9 s).
        if [ "$(stat -c %s "$1")" -gt 2000000 ]; then echo "model crashed on $1" >&2; exit 3; fi
        cp "$1" "$2/vocals.wav" && cp "\(silence.path)" "$2/other.wav"
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let tool = try CommandSeparator(
            template: "\(script.path) {input} {output_dir}", stems: ["vocals": "vocals.wav", "other": "other.wav"])
        let summary = try await ingest(tool)
        #expect(summary.counts.succeeded == 1 && summary.counts.failed == 1)
        let failure = try #require(summary.failures.first)
        #expect(
            failure.path.hasSuffix("long.wav") && failure.reason.contains("exit status 3")
                && failure.reason.contains("model crashed"))
        let store = try Store.open(at: storeURL)
        let info = try StoreInfo.gather(store)
        #expect(info.tracks == 1 && info.sources == 1, "nothing of the failed track is stored")
        let stems = try store.catalog.arrays(kind: "stem")
        #expect(Set(stems.map(\.name)) == ["vocals", "other"])
        let mix = try store.read(try #require(try store.catalog.arrays(kind: "mix").first)).floats()
        let vocals = try #require(stems.first { $0.name == "vocals" })
        #expect(try store.read(vocals) == Tensor(floats: mix, shape: [mix.count]), "the tool's stem is the excerpt it was given")
    }

    /// A separator whose stems all come out as the excerpt (a model that did not load) fails the
    /// track, naming the reason; nothing of it is stored.
    @Test func stemsThatAreAllCopiesOfTheExcerptAreAnError() async throws {
        let script = root.appendingPathComponent("copying-separator.sh")
        try """
        #!/bin/bash
        cp "$1" "$2/vocals.wav" && cp "$1" "$2/other.wav"
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let tool = try CommandSeparator(
            template: "\(script.path) {input} {output_dir}", stems: ["vocals": "vocals.wav", "other": "other.wav"])
        let summary = try await ingest(tool)
        #expect(summary.counts.succeeded == 0 && summary.counts.failed == 2)
        #expect(summary.failures.allSatisfy { $0.reason.contains("equals the excerpt") }, "\(summary.failures)")
        #expect(try StoreInfo.gather(try Store.open(at: storeURL)).tracks == 0)
    }

    @Test func importedStemsFromTrackFoldersAreStoredAndOnlyMixturesBecomeTracks() async throws {
        let dataset = root.appendingPathComponent("musdb")
        var expected: [String: [String: [Float]]] = [:]
        for (t, name) in ["Artist - Song", "Other Track"].enumerated() {
            let folder = dataset.appendingPathComponent("train/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var mixture = [Float](repeating: 0, count: 22050 * 5)
            for (s, stem) in ["vocals", "drums", "bass", "other"].enumerated() {
                let signal = TestAudio.tone(seconds: 5, sampleRate: 22050, seed: 40 + 4 * t + s).map { $0 * 0.25 }
                for i in 0..<signal.count { mixture[i] += signal[i] }
                try AudioWriter.write(
                    signal, channels: 1, sampleRate: 22050, format: .wavFloat,
                    to: folder.appendingPathComponent("\(stem).wav").path)
                expected[name, default: [:]][stem] = signal
            }
            try AudioWriter.write(
                mixture, channels: 1, sampleRate: 22050, format: .wavFloat,
                to: folder.appendingPathComponent("mixture.wav").path)
        }
        let summary = try await ingest(ImportedStemsSeparator(), corpus: dataset, mixturesOnly: true)
        #expect(summary.found == 2 && summary.counts.succeeded == 2 && summary.counts.failed == 0)
        let store = try Store.open(at: storeURL)
        for track in try store.catalog.read({ db in try TrackRecord.fetchAll(db) }) {
            let song = URL(fileURLWithPath: track.sourcePath).deletingLastPathComponent().lastPathComponent
            for row in try store.catalog.arrays(kind: "stem", track: track.id) {
                let stored = try store.read(row).floats()
                let truth = try #require(expected[song]?[row.name])
                #expect(worstDifference(stored, truth).error == 0, "\(song)/\(row.name) imported exactly")
            }
        }
    }
}
