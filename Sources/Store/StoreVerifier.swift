import Foundation

/// Bytes at the end of a shard that no catalog row references: left by a writer that was killed
/// after appending but before its catalog transaction committed. Harmless; reclaimable.
public struct OrphanedTail: Sendable, Equatable {
    public let shard: Int
    public let referencedEnd: Int64
    public let fileSize: Int64
    public var bytes: Int64 { fileSize - referencedEnd }
}

/// The outcome of checking a store.
public struct VerifyReport: Sendable {
    public var arraysChecked = 0
    /// Array id (or -1) and what is wrong with it.
    public var problems: [(record: Int64, message: String)] = []
    public var orphanedTails: [OrphanedTail] = []
    /// Corruption means a referenced record is missing, truncated, or fails its checksums.
    public var isCorrupt: Bool { !problems.isEmpty }
}

/// Checks that every array row points at a complete record whose header matches the row and
/// whose payload passes both the XXH64 checksum and the LZ4 frame content checksum; finds
/// orphaned tail bytes in every shard.
public struct StoreVerifier: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    public func verify(checkPayloads: Bool = true, progress: (@Sendable (Int, Int) -> Void)? = nil) throws(StoreError)
        -> VerifyReport
    {
        var report = VerifyReport()
        if checkPayloads {
            let arrays = try store.catalog.arrays()
            for (i, array) in arrays.enumerated() {
                do { _ = try store.read(array) } catch { report.problems.append((array.id ?? -1, error.description)) }
                report.arraysChecked += 1
                progress?(i + 1, arrays.count)
            }
        }
        let referencedEnd = try store.catalog.referencedEnds()
        let shards = Set(ShardFile.list(in: store.shardDirectory)).union(referencedEnd.keys)
        for shard in shards.sorted() {
            let size = ShardFile.size(shard, in: store.shardDirectory)
            let end = referencedEnd[shard] ?? 0
            if end > size, !checkPayloads {
                report.problems.append(
                    (-1, "shard \(ShardFile.name(shard)) is \(size) bytes but rows reference up to byte \(end)"))
            } else if size > end {
                report.orphanedTails.append(OrphanedTail(shard: shard, referencedEnd: end, fileSize: size))
            }
        }
        return report
    }
}
