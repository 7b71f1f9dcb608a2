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
    /// Whether SQLite's check of the catalog ran (and which one).
    public var catalogCheck: StoreVerifier.CatalogCheck = .none
    /// What SQLite's integrity and foreign-key checks found wrong with the catalog itself.
    public var catalogProblems: [String] = []
    /// Array id (or -1) and what is wrong with it.
    public var problems: [(record: Int64, message: String)] = []
    public var orphanedTails: [OrphanedTail] = []
    /// Corruption means a damaged catalog, or a referenced record that is missing, truncated, or
    /// fails its checksums.
    public var isCorrupt: Bool { !problems.isEmpty || !catalogProblems.isEmpty }
}

/// Checks the catalog itself with SQLite's integrity and foreign-key checks, then that every
/// array row points at a complete record whose header matches the row and whose payload passes
/// both the XXH64 checksum and the LZ4 frame content checksum; finds orphaned tail bytes in
/// every shard. A catalog SQLite calls damaged is corruption even when every record reads back:
/// rows may be missing or wrong.
public struct StoreVerifier: Sendable {
    /// Which SQLite check of the catalog file runs first.
    public enum CatalogCheck: String, Sendable {
        /// `PRAGMA integrity_check`: structure, every index against its table, constraints.
        case full
        /// `PRAGMA quick_check`: the same without index contents; linear time.
        case quick
        /// No catalog check (the writer's tail reclaim, which only needs referenced ends).
        case none
    }

    public let store: Store

    public init(store: Store) { self.store = store }

    public func verify(
        checkPayloads: Bool = true, catalogCheck: CatalogCheck = .full, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(StoreError) -> VerifyReport {
        var report = VerifyReport()
        report.catalogCheck = catalogCheck
        if catalogCheck != .none {
            report.catalogProblems = store.catalog.integrityProblems(quick: catalogCheck == .quick)
        }
        if checkPayloads {
            let arrays: [ArrayRecord]
            do { arrays = try store.catalog.arrays() } catch {
                // A catalog whose arrays cannot be listed is damaged; say so instead of stopping.
                report.catalogProblems.append("cannot list the arrays: \(error)")
                return report
            }
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
