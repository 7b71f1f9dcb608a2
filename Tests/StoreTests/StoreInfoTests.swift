import Core
import Foundation
import Testing

@testable import Store

/// `StoreInfo.gather`: row counts and per-kind raw/stored byte totals agree with what was committed.
@Suite struct StoreInfoTests {
    typealias T = StoreTestData
    let stores = TemporaryStores()

    @Test func emptyStoreHasNoRowsAndNoKinds() throws {
        let store = try stores.fresh()
        let info = try StoreInfo.gather(store)
        #expect(info.schemaVersion == 7)
        #expect([info.tracks, info.sources, info.excerpts, info.tags, info.runs, info.failures] == [Int](repeating: 0, count: 6))
        #expect(info.kinds.isEmpty && info.rawBytes == 0 && info.storedBytes == 0 && info.compressionRatio == 0)
        #expect(info.shardBytes == 0)
    }

    @Test func countsAndPerKindBytesMatchWhatWasCommitted() throws {
        let store = try stores.fresh()
        let writer = try store.writer()
        let run = try writer.beginRun(command: "ingest", parameters: "{}", configHash: "cfg-a")
        let batch = [
            try T.pending(track: 1, path: "/a/1.wav", runId: run, tags: ["rock", "indie"], arrays: T.standardArrays(1)),
            try T.pending(track: 2, path: "/a/2.wav", runId: run, tags: ["jazz"], arrays: T.standardArrays(2)),
            try T.pending(track: 1, path: "/b/1-copy.wav", runId: run, arrays: T.standardArrays(1)),
        ]
        let failures = [RunFailureRecord(runId: run, path: "/a/broken.mp3", reason: "undecodable")]
        let warnings = [RunWarningRecord(runId: run, path: "/a/estimate.ogg", message: "decoded 44288 of 44400 frames")]
        _ = try writer.commit(batch, failures: failures, warnings: warnings, runId: run)

        let info = try StoreInfo.gather(store)
        #expect(info.schemaVersion == 7)
        #expect(info.tracks == 2)
        #expect(info.sources == 3, "the duplicate adds a source")
        #expect(info.excerpts == 2)
        #expect(info.tags == 3)
        #expect(info.runs == 1 && info.failures == 1 && info.warnings == 1)

        let stored = batch.prefix(2).flatMap(\.arrays)
        var expected: [String: StoreInfo.KindSummary] = [:]
        for array in stored {
            var summary = expected[array.kind] ?? .init(kind: array.kind, count: 0, rawBytes: 0, storedBytes: 0)
            summary.count += 1
            summary.rawBytes += Int64(array.record.rawLength)
            summary.storedBytes += Int64(array.record.totalLength)
            expected[array.kind] = summary
        }
        #expect(info.kinds == expected.keys.sorted().map { expected[$0]! }, "one summary per kind, sorted by kind")
        #expect(info.kinds.map(\.kind) == ["logfiltspec", "mix"])
        #expect(info.rawBytes == Int64(stored.reduce(0) { $0 + $1.record.rawLength }))
        #expect(info.storedBytes == Int64(stored.reduce(0) { $0 + $1.record.totalLength }))
        #expect(info.compressionRatio == Double(info.rawBytes) / Double(info.storedBytes))
        let mix = try #require(info.kinds.last)
        #expect(mix.rawBytes == 2 * 2000 * 4 && mix.compressionRatio > 1, "the smooth waveform compresses")

        #expect(info.shardCount == 1)
        #expect(info.shardBytes == info.storedBytes, "the shard holds exactly the stored records")
        #expect(info.catalogBytes > 0)
    }

    @Test func shardTotalsSpanEveryShard() throws {
        let store = try stores.fresh()
        let writer = try store.writer(shardLimit: 1000)
        for n in 0..<4 {
            _ = try writer.commit(
                [try T.pending(track: n, arrays: [("a", Tensor(floats: T.noiseFloats(150, seed: UInt64(n + 1)), shape: [150]))])],
                runId: nil)
        }
        let info = try StoreInfo.gather(store)
        #expect(info.shardCount == 4)
        #expect(info.shardBytes == info.storedBytes)
        #expect(info.kinds.map(\.count) == [4])
    }
}
