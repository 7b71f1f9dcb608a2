import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An on-disk stemtrace store: `catalog.sqlite` plus append-only `shards/NNNNNN.shard` files
/// (docs/FORMAT.md). Reading is safe from many tasks and processes; writing goes through one
/// `StoreWriter` at a time, guarded by an exclusive lock on `writer.lock`.
///
/// ```swift
/// let store = try Store.open(at: url, create: true)
/// let spec = try store.read(try store.catalog.arrays(kind: "logfiltspec")[0])
/// ```
public struct Store: Sendable {
    public let root: URL
    public let catalog: Catalog

    public var shardDirectory: URL { root.appendingPathComponent("shards") }
    public static let catalogName = "catalog.sqlite"
    /// Default shard size limit: a new shard starts past 1 GiB.
    public static let defaultShardLimit: Int64 = 1 << 30

    /// Opens a store; with `create`, makes the directory layout first when it is missing.
    public static func open(at root: URL, create: Bool = false) throws(StoreError) -> Store {
        let fm = FileManager.default
        let catalogURL = root.appendingPathComponent(catalogName)
        if !fm.fileExists(atPath: catalogURL.path) {
            guard create else { throw .notAStore(path: root.path) }
            do {
                try fm.createDirectory(at: root.appendingPathComponent("shards"), withIntermediateDirectories: true)
            } catch { throw .io(path: root.path, reason: error.localizedDescription) }
        }
        return Store(root: root, catalog: try Catalog(path: catalogURL.path))
    }

    /// Reads, verifies and decodes the record an array row points to.
    public func read(_ array: ArrayRecord) throws(StoreError) -> Tensor {
        try readRecord(array).decode(record: array.id ?? -1, shard: array.shard, offset: array.offset)
    }

    /// Reads the record an array row points to, still compressed: its header checksum, and that
    /// header and catalog row agree (length, payload checksum, dtype, shape, codec, filter).
    /// `ShardRecord.decode` then verifies the payload itself.
    public func readRecord(_ array: ArrayRecord) throws(StoreError) -> ShardRecord {
        let id = array.id ?? -1
        // Every size in the row is checked against the shard before anything is allocated: a
        // damaged catalog row must raise, never make the reader allocate its claimed length.
        func outOfBounds(_ reason: String) -> StoreError {
            .recordOutOfBounds(record: id, shard: array.shard, offset: array.offset, length: array.length, reason: reason)
        }
        guard array.offset >= 0, array.length >= ShardRecord.headerLength(ndim: 0) else {
            throw outOfBounds("offset or length is below a record's smallest size")
        }
        guard array.length <= ShardRecord.maxRecordLength else {
            throw outOfBounds("longer than the \(ShardRecord.maxRecordLength)-byte record limit")
        }
        let bytes: [UInt8]
        do { bytes = try ShardFile.read(array.shard, in: shardDirectory, offset: array.offset, length: array.length) } catch {
            switch error {
            case .pastEnd(let size): throw outOfBounds("the shard has only \(size) bytes")
            case .unreadable(let reason):
                throw .shardUnreadable(record: id, path: ShardFile.url(array.shard, in: shardDirectory).path, reason: reason)
            }
        }
        var (record, total) = try bytes.withUnsafeBytes { b in
            Result { () throws(StoreError) in try ShardRecord.parseHeader(b, shard: array.shard, offset: array.offset) }
        }.get()
        guard total == array.length else {
            throw .recordMismatch(record: id, reason: "record is \(total) bytes, catalog says \(array.length)")
        }
        guard String(format: "%016llx", record.payloadChecksum) == array.checksum else {
            throw .checksumMismatch(record: id, shard: array.shard, offset: array.offset)
        }
        guard record.dtype.rawValue == array.dtype, record.shape == array.dimensions else {
            throw .recordMismatch(
                record: id,
                reason: "record holds \(record.dtype.rawValue) \(record.shape), catalog says \(array.dtype) \(array.shape)")
        }
        guard record.codec.name == array.codec, record.filter.name == array.filter, record.rawLength == array.rawLength else {
            throw .recordMismatch(
                record: id,
                reason:
                    "record codec/filter/raw length \(record.codec.name)/\(record.filter.name)/\(record.rawLength) differ from the catalog's \(array.codec)/\(array.filter)/\(array.rawLength)"
            )
        }
        record.payload = Array(bytes[record.headerLength...])
        return record
    }

    /// Opens the single writer of this store; fails with `.locked` while another process writes.
    public func writer(shardLimit: Int64 = Store.defaultShardLimit) throws(StoreError) -> StoreWriter {
        try StoreWriter(store: self, shardLimit: shardLimit)
    }
}
