import AudioIO
import Foundation
import GRDB
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `stemtrace ingest --partition k/N`: N stores from the same corpus hold every track exactly once,
/// copies of a track land beside it, and other partitions' files are neither stored nor failures.
@Suite struct PartitionIngestTests {
    let root: URL
    let corpus: URL
    static let count = 3

    /// Six distinct tones, a byte copy of one, a silent file (decodable, so it has a partition) and
    /// a file that is not audio (no partition can be known).
    init() throws {
        root = try Fixtures.temporaryDirectory("partition-ingest")
        corpus = root.appendingPathComponent("corpus")
        let fm = FileManager.default
        try fm.createDirectory(at: corpus.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for seed in 1...6 {
            try TestAudio.writeTone(corpus.appendingPathComponent("tone\(seed).wav"), seconds: 3, seed: 70 + seed)
        }
        try fm.copyItem(at: corpus.appendingPathComponent("tone4.wav"), to: corpus.appendingPathComponent("sub/copy.wav"))
        try AudioWriter.write(
            [Float](repeating: 0, count: 22050), channels: 1, sampleRate: 22050, format: .wav16,
            to: corpus.appendingPathComponent("silent.wav").path)
        try Data("not audio".utf8).write(to: corpus.appendingPathComponent("notes.mp3"))
    }

    func ingest(_ k: Int) async throws -> (summary: IngestSummary, store: URL) {
        let store = root.appendingPathComponent("store-\(k)")
        var options = IngestOptions(corpus: corpus, store: store)
        options.workers = 2
        options.partition = try Partition(index: k, count: Self.count)
        return (try await IngestStage(options: options).run(progressMode: .silent), store)
    }

    /// The content hash (track id) of a corpus file.
    func trackId(_ name: String) throws -> String {
        try PreparedTrack.contentHash(of: AudioDecoder.decode(path: corpus.appendingPathComponent(name).path))
    }

    @Test func everyTrackIsStoredExactlyOnceAcrossThePartitionsWithItsCopies() async throws {
        let tones = (1...6).map { "tone\($0).wav" }
        let expected = Set(try tones.map(trackId))
        #expect(expected.count == 6)
        let partitionsUsed = Set(
            try expected.map { id in
                try (0..<Self.count).first { try Partition(index: $0, count: Self.count).contains(trackId: id) }
            })
        #expect(partitionsUsed.count > 1, "the tones must spread over several partitions for this test to mean anything")

        var owner: [String: Int] = [:]
        var otherPartition = 0
        var silentFailures = 0
        for k in 0..<Self.count {
            let (summary, storeURL) = try await ingest(k)
            let partition = try Partition(index: k, count: Self.count)
            #expect(summary.found == 9 && summary.partition == partition)
            #expect(
                summary.counts.succeeded + summary.counts.duplicates + summary.otherPartition + summary.counts.failed == 9,
                "every file is stored, a duplicate, another partition's or a failure: \(summary)")
            otherPartition += summary.otherPartition
            silentFailures += summary.failures.filter { $0.path.hasSuffix("silent.wav") }.count
            // A file that cannot be decoded has no known partition: every partition reports it.
            #expect(summary.failures.contains { $0.path.hasSuffix("notes.mp3") })

            let store = try Store.open(at: storeURL)
            let tracks = try store.catalog.read { db in try TrackRecord.fetchAll(db) }
            #expect(tracks.count == summary.counts.succeeded)
            for track in tracks {
                #expect(partition.contains(trackId: track.id), "\(track.id) stored in partition \(partition)")
                #expect(owner.updateValue(k, forKey: track.id) == nil, "\(track.id) stored in two partitions")
            }
            // The copy of tone4 is recorded in tone4's store as another source of the same track.
            let sources = try store.catalog.read { db in try TrackSourceRecord.fetchAll(db) }
            let copy = sources.first { $0.path.hasSuffix("sub/copy.wav") }
            let original = sources.first { $0.path.hasSuffix("tone4.wav") }
            #expect((copy == nil) == (original == nil), "the copy and the original are in the same partition")
            if let copy, let original { #expect(copy.trackId == original.trackId && summary.counts.duplicates == 1) }

            let run = try #require(try store.catalog.runs().first)
            #expect(run.parameters.contains(#""partition":"\#(partition)""#), "\(run.parameters)")
            let report = IngestReport.render(summary, store: "s")
            #expect(report.contains("other partition \(summary.otherPartition)") && report.contains("partition \(partition)"))
        }
        #expect(Set(owner.keys) == expected)
        // The 7 tone files (6 + the copy) and the silent file each land in one partition: the
        // other two partitions pass them over.
        #expect(otherPartition == 8 * (Self.count - 1))
        #expect(silentFailures == 1, "the silent file is a failure of its own partition only")
    }

    @Test func aWholeSinglePartitionIsAnOrdinaryIngest() async throws {
        var options = IngestOptions(corpus: corpus, store: root.appendingPathComponent("all"))
        options.partition = try Partition(parsing: "0/1")
        let summary = try await IngestStage(options: options).run(progressMode: .silent)
        #expect(summary.counts.succeeded == 6 && summary.counts.duplicates == 1 && summary.otherPartition == 0)
        #expect(summary.counts.failed == 2)
    }

    @Test func theCommandTakesPartitionAndRejectsABadOneWithTheReason() throws {
        let store = root.appendingPathComponent("cli")
        let bad = try BuiltTool.run(["ingest", corpus.path, "--store", store.path, "--partition", "3/3"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("'3/3'") && bad.output.contains("0 ≤ k < 3"), "\(bad.output)")
        #expect(!FileManager.default.fileExists(atPath: store.path), "nothing is created for a rejected option")

        let good = try BuiltTool.run([
            "ingest", corpus.path, "--store", store.path, "--partition", "1/2", "--separator", "builtin", "--progress", "none",
        ])
        #expect(good.status == 2, "notes.mp3 fails: \(good.output)")
        let stored = try Store.open(at: store).catalog.read { db in try TrackRecord.fetchAll(db) }
        #expect(good.output.contains("partition 1/2") && good.output.contains("other partition "), "\(good.output)")
        #expect(stored.allSatisfy { TrackRecord.partitionKey(forTrack: $0.id) % 2 == 1 })
        #expect(good.output.contains("stored      \(stored.count)"))
    }
}
