/// Errors of the on-disk store. Each case carries the record, shard or file it concerns.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case notAStore(path: String)
    case io(path: String, reason: String)
    case locked(path: String)
    case catalog(reason: String)
    case badRecordHeader(shard: Int, offset: Int64, reason: String)
    case checksumMismatch(record: Int64, shard: Int, offset: Int64)
    case decompression(record: Int64, shard: Int, offset: Int64, reason: String)
    case compression(reason: String)
    case recordMismatch(record: Int64, reason: String)
    /// A catalog row points outside its shard, or claims a size past the record limit: checked
    /// before anything is allocated or read.
    case recordOutOfBounds(record: Int64, shard: Int, offset: Int64, length: Int, reason: String)
    /// The shard a record lives in cannot be opened or read.
    case shardUnreadable(record: Int64, path: String, reason: String)
    /// The catalog fails SQLite's integrity or foreign-key check.
    case catalogDamaged(path: String, problems: [String])
    case schemaTooNew(found: Int, supported: Int)
    /// `StoreMerge` was asked to copy a store into itself.
    case mergeIntoItself(path: String)
    /// `StoreMerge` found catalogs of different schema versions.
    case mergeSchemaMismatch(source: String, found: Int, destination: String, expected: Int)

    /// True for damage confined to one record (its bytes, header or catalog row disagree, or its
    /// shard cannot be read): a stage names the record's track and goes on with the others. Other
    /// errors (the catalog itself, a lock, a full disk while writing) stop the run.
    public var isRecordDamage: Bool {
        switch self {
        case .badRecordHeader, .checksumMismatch, .decompression, .recordMismatch, .recordOutOfBounds, .shardUnreadable:
            true
        default: false
        }
    }

    public var description: String {
        switch self {
        case let .notAStore(p): "\(p) is not a stemtrace store (no catalog.sqlite); create one with `stemtrace ingest`"
        case let .io(p, r): "\(p): \(r)"
        case let .locked(p): "\(p) is being written by another stemtrace process"
        case let .catalog(r): "catalog: \(r)"
        case let .badRecordHeader(s, o, r): "shard \(ShardFile.name(s)) offset \(o): bad record header: \(r)"
        case let .checksumMismatch(rec, s, o): "array \(rec): checksum mismatch in shard \(ShardFile.name(s)) at offset \(o)"
        case let .decompression(rec, s, o, r):
            "array \(rec): cannot decompress record in shard \(ShardFile.name(s)) at offset \(o): \(r)"
        case let .compression(r): "compression failed: \(r)"
        case let .recordMismatch(rec, r): "array \(rec): record does not match its catalog row: \(r)"
        case let .recordOutOfBounds(rec, s, o, l, r):
            "array \(rec): catalog row points at \(l) bytes at offset \(o) of shard \(ShardFile.name(s)): \(r)"
        case let .shardUnreadable(rec, p, r): "array \(rec): cannot read its shard \(p): \(r)"
        case let .catalogDamaged(p, problems):
            "\(p): the catalog is damaged (\(problems.count) problem\(problems.count == 1 ? "" : "s")): "
                + problems.prefix(5).joined(separator: "; ")
        case let .schemaTooNew(found, supported):
            "catalog schema version \(found) is newer than this stemtrace supports (\(supported))"
        case let .mergeIntoItself(p): "cannot merge \(p) into itself"
        case let .mergeSchemaMismatch(source, found, destination, expected):
            "\(source) has catalog version \(found), \(destination) has \(expected): open both with this stemtrace first"
        }
    }
}
