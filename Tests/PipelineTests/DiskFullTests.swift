import Foundation
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A full disk, on a small tmpfs (root only; CI runs as root): the failed batch is rolled back
/// out of the shard before the catalog is touched, the run is marked failed, `verify --reclaim`
/// works while the disk is still full and prints what it truly freed, and once there is room a
/// plain re-run completes — no manual step anywhere.
@Suite(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullTests {
    /// Mounts a tmpfs of `megabytes` at a fresh directory.
    static func mountTmpfs(megabytes: Int) throws -> URL {
        let point = try Fixtures.temporaryDirectory("diskfull")
        let result = try BuiltTool.run(
            executable: URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(megabytes)M", "tmpfs", point.path])
        guard result.status == 0 else { throw DiskFullTestError.mount(result.output) }
        return point
    }

    @Test func ingestOnAFullDiskRollsBackAndRecoversWithoutAManualStep() throws {
        let root = try Fixtures.temporaryDirectory("diskfull-corpus")
        let corpus = root.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let trackCount = 12
        for i in 0..<trackCount {
            try TestAudio.writeTone(
                corpus.appendingPathComponent(String(format: "t%02d.wav", i)), seconds: 20, sampleRate: 22050, seed: 300 + i)
        }
        let point = try Self.mountTmpfs(megabytes: 6)
        defer { _ = try? BuiltTool.run(executable: URL(fileURLWithPath: "/bin/umount"), ["-l", point.path]) }
        let storeURL = point.appendingPathComponent("store")
        let ingest = [
            "ingest", corpus.path, "--store", storeURL.path, "--separator", "none", "--workers", "1",
            "--batch-size", "2", "--progress", "none", "--quiet",
        ]

        // 1. The disk fills up part-way.
        let full = try BuiltTool.run(ingest)
        #expect(full.status != 0, "\(full.output)")
        #expect(full.output.contains("No space left on device") || full.output.contains("full"), "\(full.output)")
        let store = try Store.open(at: storeURL)
        let afterFailure = try StoreInfo.gather(store)
        #expect(afterFailure.tracks > 0 && afterFailure.tracks < trackCount, "some batches fitted: \(afterFailure.tracks)")
        let report = try StoreVerifier(store: store).verify()
        #expect(!report.isCorrupt && report.orphanedTails.isEmpty, "the failed batch was truncated away: \(report.orphanedTails)")
        #expect(try store.catalog.runs().last?.status == "failed")

        // 2. Orphaned bytes on a completely full disk (as a killed writer leaves them): reclaim works.
        let shard = ShardFile.url(try #require(ShardFile.list(in: store.shardDirectory).last), in: store.shardDirectory)
        let before = ShardFile.size(try #require(ShardFile.list(in: store.shardDirectory).last), in: store.shardDirectory)
        let handle = try FileHandle(forWritingTo: shard)
        try handle.seekToEnd()
        var orphaned = 0
        let block = Data(repeating: 0xAB, count: 64 << 10)
        while (try? handle.write(contentsOf: block)) != nil { orphaned += block.count }
        try? handle.close()
        let grown = ShardFile.size(try #require(ShardFile.list(in: store.shardDirectory).last), in: store.shardDirectory)
        #expect(grown > before)
        let reclaim = try BuiltTool.run(["verify", "--store", storeURL.path, "--reclaim"])
        #expect(reclaim.status == 0, "\(reclaim.output)")
        #expect(reclaim.output.contains("reclaimed \(grown - before) orphaned bytes"), "\(reclaim.output)")
        #expect(ShardFile.size(try #require(ShardFile.list(in: store.shardDirectory).last), in: store.shardDirectory) == before)

        // 3. With room again, the same command completes the corpus.
        let grow = try BuiltTool.run(executable: URL(fileURLWithPath: "/bin/mount"), ["-o", "remount,size=64M", point.path])
        #expect(grow.status == 0, "\(grow.output)")
        let rerun = try BuiltTool.run(ingest)
        #expect(rerun.status == 0, "\(rerun.output)")
        let final = try StoreInfo.gather(store)
        #expect(final.tracks == trackCount && final.excerpts == trackCount)
        #expect(try !StoreVerifier(store: store).verify().isCorrupt)
    }
}

enum DiskFullTestError: Error { case mount(String) }
