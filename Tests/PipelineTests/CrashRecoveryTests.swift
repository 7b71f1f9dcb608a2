import Foundation
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGKILL an ingest mid-run: the store must verify, and a rerun must finish with every track once.
@Suite struct CrashRecoveryTests {
    @Test func killedIngestLeavesAVerifiableStoreAndRerunCompletesEachTrackOnce() throws {
        let root = try Fixtures.temporaryDirectory("crash")
        let corpus = root.appendingPathComponent("corpus")
        let storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let trackCount = 16
        for i in 0..<trackCount {
            try TestAudio.writeTone(
                corpus.appendingPathComponent(String(format: "t%03d.wav", i)), seconds: 8,
                sampleRate: 44100, channels: 2, seed: 100 + i)
        }

        let process = Process()
        process.executableURL = try BuiltTool.stemtrace
        process.arguments = [
            "ingest", corpus.path, "--store", storeURL.path, "--separator", "builtin", "--workers", "1", "--batch-size", "1",
            "--progress", "none", "--quiet", "--stem-spectrograms",
        ]
        try process.run()
        // Kill without warning as soon as the first record bytes reach a shard: the writer is then
        // between appending, fsyncing and committing its first batches.
        let shards = storeURL.appendingPathComponent("shards")
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            let sizes = ShardFile.list(in: shards).map { ShardFile.size($0, in: shards) }
            if sizes.contains(where: { $0 > 0 }) { break }
            usleep(2000)  // a blocking poll: an awaiting one can be starved by tests running in parallel
        }
        #expect(process.isRunning, "ingest finished before it could be killed; make the corpus larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let store = try Store.open(at: storeURL)
        let afterKill = try StoreInfo.gather(store)
        #expect(afterKill.tracks < trackCount)
        // Whole tracks only: every stored track has its excerpt and both arrays.
        #expect(afterKill.excerpts == afterKill.tracks)
        let perTrack = ["logfiltspec": 1, "mix": 1, "stem": 4, "stem_logfiltspec": 4]
        #expect(afterKill.kinds.allSatisfy { $0.count == (perTrack[$0.kind] ?? 0) * afterKill.tracks })
        #expect(try !StoreVerifier(store: store).verify().isCorrupt)

        let verify = try BuiltTool.run(["verify", "--store", storeURL.path])
        #expect(verify.status == 0, "verify after kill: \(verify.output)")

        let rerun = try BuiltTool.run([
            "ingest", corpus.path, "--store", storeURL.path, "--separator", "builtin", "--progress", "none",
            "--stem-spectrograms",
        ])
        #expect(rerun.status == 0, "rerun: \(rerun.output)")
        let final = try StoreInfo.gather(store)
        #expect(final.tracks == trackCount && final.sources == trackCount && final.excerpts == trackCount)
        // mix and spectrogram per track, and four built-in stems each with its spectrogram.
        #expect(final.kinds.map(\.kind) == ["logfiltspec", "mix", "stem", "stem_logfiltspec"])
        #expect(final.kinds.map(\.count) == [trackCount, trackCount, 4 * trackCount, 4 * trackCount])
        let runs = try store.catalog.runs()
        #expect(runs.first?.status == "interrupted" && runs.last?.status == "completed")
        let report = try StoreVerifier(store: store).verify()
        #expect(!report.isCorrupt && report.arraysChecked == 10 * trackCount)
    }
}
