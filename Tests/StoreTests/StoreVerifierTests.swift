import Core
import Foundation
import Testing

@testable import Store

/// `verify`: a healthy store is clean; unreferenced tail bytes (a crash between append and
/// commit) are orphans, not corruption, and can be reclaimed; damaged or missing referenced
/// bytes are corruption naming the array.
@Suite struct StoreVerifierTests {
    typealias T = StoreTestData
    let stores = TemporaryStores()

    /// A store with three committed tracks (six arrays) in shard 1, and no writer alive.
    func populatedStore() throws -> (Store, [Tensor]) {
        let store = try stores.fresh()
        let writer = try store.writer()
        var tensors: [Tensor] = []
        for n in 1...3 {
            let arrays = T.standardArrays(n)
            tensors += arrays.map(\.tensor)
            _ = try writer.commit([try T.pending(track: n, arrays: arrays)], runId: nil)
        }
        return (store, tensors)
    }

    static func readAll(_ store: Store) throws -> [Tensor] {
        try store.catalog.arrays().map { try store.read($0) }
    }

    @Test func healthyStoreVerifiesClean() throws {
        let (store, _) = try populatedStore()
        let report = try StoreVerifier(store: store).verify()
        #expect(report.arraysChecked == 6)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.orphanedTails.isEmpty)
        #expect(!report.isCorrupt)
    }

    @Test func emptyStoreVerifiesClean() throws {
        let store = try stores.fresh()
        _ = try store.writer()  // creates an empty 000001.shard
        let report = try StoreVerifier(store: store).verify()
        #expect(report.arraysChecked == 0 && report.problems.isEmpty && report.orphanedTails.isEmpty)
    }

    @Test func progressIsReportedForEveryArray() throws {
        final class Calls: @unchecked Sendable {
            let lock = NSLock()
            var seen: [[Int]] = []
            func add(_ a: Int, _ b: Int) { lock.withLock { seen.append([a, b]) } }
        }
        let (store, _) = try populatedStore()
        let calls = Calls()
        _ = try StoreVerifier(store: store).verify { calls.add($0, $1) }
        #expect(calls.seen == (1...6).map { [$0, 6] })
    }

    @Test func garbageAfterTheLastRecordIsAnOrphanedTailNotCorruption() throws {
        let (store, _) = try populatedStore()
        let url = T.shardURL(store, 1)
        let committedEnd = try T.fileSize(url)
        try T.appendGarbage(123, to: url)

        for checkPayloads in [true, false] {
            let report = try StoreVerifier(store: store).verify(checkPayloads: checkPayloads)
            #expect(!report.isCorrupt, "\(report.problems)")
            #expect(report.orphanedTails == [OrphanedTail(shard: 1, referencedEnd: committedEnd, fileSize: committedEnd + 123)])
            #expect(report.orphanedTails.first?.bytes == 123)
            #expect(report.arraysChecked == (checkPayloads ? 6 : 0))
        }
    }

    @Test func openingTheWriterReclaimsExactlyTheOrphanedBytesAndTheStoreStillWorks() throws {
        let (store, tensors) = try populatedStore()
        let url = T.shardURL(store, 1)
        let committedEnd = try T.fileSize(url)
        try T.appendGarbage(123, to: url)

        let writer = try store.writer()
        #expect(try T.fileSize(url) == committedEnd, "the writer reclaims orphaned tails when it opens")
        let report = try StoreVerifier(store: store).verify()
        #expect(!report.isCorrupt && report.orphanedTails.isEmpty)
        #expect(try Self.readAll(store) == tensors)

        // The writer keeps appending where the committed records end, not where the garbage did.
        let more = T.standardArrays(4)
        _ = try writer.commit([try T.pending(track: 4, arrays: more)], runId: nil)
        let newRows = try store.catalog.arrays(track: T.trackID(4))
        #expect(newRows.first?.offset == committedEnd)
        #expect(try Self.readAll(store) == tensors + more.map(\.tensor))
        let after = try StoreVerifier(store: store).verify()
        #expect(!after.isCorrupt && after.orphanedTails.isEmpty)
        #expect(try writer.reclaimOrphanedTails() == 0, "nothing left to reclaim")
    }

    @Test func wholeShardWrittenAfterRotationButNeverCommittedIsReclaimed() throws {
        let (store, tensors) = try populatedStore()
        let orphan = T.shardURL(store, 2)
        #expect(FileManager.default.createFile(atPath: orphan.path, contents: Data(repeating: 0xEE, count: 77)))

        let report = try StoreVerifier(store: store).verify()
        #expect(!report.isCorrupt)
        #expect(report.orphanedTails == [OrphanedTail(shard: 2, referencedEnd: 0, fileSize: 77)])

        let writer = try store.writer()
        #expect(try T.fileSize(orphan) == 0, "the writer reclaims the uncommitted shard when it opens")
        #expect(try writer.reclaimOrphanedTails() == 0)
        let more = T.standardArrays(5)
        _ = try writer.commit([try T.pending(track: 5, arrays: more)], runId: nil)
        #expect(try Self.readAll(store) == tensors + more.map(\.tensor))
        let after = try StoreVerifier(store: store).verify()
        #expect(!after.isCorrupt && after.orphanedTails.isEmpty)
    }

    @Test func commitWhoseCatalogTransactionFailsLeavesNoRowsAndNoShardBytes() throws {
        let (store, tensors) = try populatedStore()
        let url = T.shardURL(store, 1)
        let committedEnd = try T.fileSize(url)
        let writer = try store.writer()
        // A failure row pointing at a run that does not exist violates a foreign key after the
        // batch's records were appended and fsynced.
        let bad = try T.pending(track: 9, arrays: [("mix", Tensor(floats: [1, 2, 3], shape: [3]))])
        let orphanFailure = RunFailureRecord(runId: 999_999, path: "x.wav", reason: "test")
        let error = #expect(throws: StoreError.self) { _ = try writer.commit([bad], failures: [orphanFailure], runId: nil) }
        guard case .catalog? = error else {
            Issue.record("expected a catalog error, got \(String(describing: error))")
            return
        }
        #expect(try store.catalog.arrays().count == 6, "no array row of the failed batch survives")
        #expect(try !store.catalog.hasExcerpt(track: T.trackID(9), configHash: "cfg-a"), "nor its excerpt")

        let report = try StoreVerifier(store: store).verify()
        #expect(!report.isCorrupt)
        #expect(report.orphanedTails.isEmpty, "the failed batch's records were truncated away")
        #expect(try T.fileSize(url) == committedEnd)
        let good = T.standardArrays(9)
        _ = try writer.commit([try T.pending(track: 9, arrays: good)], runId: nil)
        #expect(try store.catalog.arrays(track: T.trackID(9)).first?.offset == committedEnd)
        #expect(try Self.readAll(store) == tensors + good.map(\.tensor))
    }

    @Test func flippedPayloadByteIsCorruptionNamingTheArray() throws {
        let (store, _) = try populatedStore()
        let rows = try store.catalog.arrays()
        let victim = rows[3]
        let headerLength = ShardRecord.headerLength(ndim: victim.dimensions.count)
        try T.flipByte(at: victim.offset + Int64(headerLength) + 5, in: T.shardURL(store, victim.shard))

        let report = try StoreVerifier(store: store).verify()
        #expect(report.isCorrupt)
        #expect(report.problems.map(\.record) == [try #require(victim.id)])
        #expect(report.problems.first?.message.contains("checksum mismatch") == true, "\(report.problems)")
        #expect(report.orphanedTails.isEmpty, "corruption inside a record is not an orphaned tail")
        #expect(throws: StoreError.checksumMismatch(record: victim.id!, shard: victim.shard, offset: victim.offset)) {
            _ = try store.read(victim)
        }
        for row in rows where row.id != victim.id { _ = try store.read(row) }
    }

    @Test func flippedHeaderByteIsCorruptionNamingTheArray() throws {
        let (store, _) = try populatedStore()
        let victim = try store.catalog.arrays()[1]
        try T.flipByte(at: victim.offset + 17, in: T.shardURL(store, victim.shard))  // inside the raw length
        let report = try StoreVerifier(store: store).verify()
        #expect(report.problems.map(\.record) == [try #require(victim.id)])
        #expect(report.problems.first?.message.contains("bad record header") == true, "\(report.problems)")
    }

    @Test func shardTruncatedInsideAReferencedRecordIsCorruption() throws {
        let (store, _) = try populatedStore()
        let rows = try store.catalog.arrays()
        let last = try #require(rows.last)
        let url = T.shardURL(store, last.shard)
        let cut = last.offset + Int64(last.length) - 10
        #expect(truncate(url.path, off_t(cut)) == 0)

        let report = try StoreVerifier(store: store).verify()
        #expect(report.isCorrupt)
        #expect(report.problems.map(\.record) == [try #require(last.id)])
        #expect(report.orphanedTails.isEmpty)

        let quick = try StoreVerifier(store: store).verify(checkPayloads: false)
        #expect(quick.isCorrupt, "a size check alone sees that rows point past the end")
        #expect(quick.problems.map(\.record) == [-1])
        #expect(quick.problems.first?.message.contains("\(cut) bytes") == true, "\(quick.problems)")
    }

    @Test func missingShardFileIsCorruptionForEveryArrayInIt() throws {
        let (store, _) = try populatedStore()
        try FileManager.default.removeItem(at: T.shardURL(store, 1))
        let report = try StoreVerifier(store: store).verify()
        #expect(report.isCorrupt)
        #expect(report.problems.map(\.record) == (try store.catalog.arrays()).map { $0.id! })
    }
}
