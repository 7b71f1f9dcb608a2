import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a record lives: shard number, byte offset of the record, record length.
public struct RecordLocation: Sendable, Equatable, Codable {
    public let shard: Int
    public let offset: Int64
    public let length: Int
}

/// Naming and raw positional I/O of shard files (`shards/NNNNNN.shard`).
public enum ShardFile {
    public static func name(_ shard: Int) -> String { String(format: "%06d.shard", shard) }

    public static func url(_ shard: Int, in directory: URL) -> URL { directory.appendingPathComponent(name(shard)) }

    /// Shard numbers present in a directory, ascending.
    public static func list(in directory: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { n -> Int? in
            guard n.hasSuffix(".shard"), n.count == 12 else { return nil }
            return Int(n.prefix(6))
        }.sorted()
    }

    public static func size(_ shard: Int, in directory: URL) -> Int64 {
        var st = stat()
        return stat(url(shard, in: directory).path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// Reads exactly `length` bytes at `offset` of a shard. The bytes' end is checked against the
    /// size of the opened file (`fstat`) before the buffer is allocated, so a length read from a
    /// damaged catalog row can never make this allocate more than the shard holds.
    public static func read(_ shard: Int, in directory: URL, offset: Int64, length: Int) throws(ShardReadError) -> [UInt8] {
        let path = url(shard, in: directory).path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw .unreadable(reason: "not a regular file") }
        let size = Int64(st.st_size)
        let (end, overflow) = offset.addingReportingOverflow(Int64(length))
        guard offset >= 0, length >= 0, !overflow, end <= size else { throw .pastEnd(shardSize: size) }
        var out = [UInt8](repeating: 0, count: length)
        var got = 0
        while got < length {
            let n = out.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(fd, base + got, length - got, off_t(offset) + off_t(got))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            got += n
        }
        // The file shrank between fstat and pread (a concurrent reclaim of a tail).
        guard got == length else { throw .pastEnd(shardSize: offset + Int64(got)) }
        return out
    }
}

/// Why `ShardFile.read` could not return the bytes asked for.
public enum ShardReadError: Error, Equatable {
    /// The shard cannot be opened or read, or is not a regular file.
    case unreadable(reason: String)
    /// The bytes asked for lie past the end of the shard, which has `shardSize` bytes.
    case pastEnd(shardSize: Int64)
}

/// Appends records to the newest shard, starting a new one past the size limit. Not thread-safe:
/// owned by the single store writer. Bytes become durable only after `sync()`.
final class ShardAppender {
    let directory: URL
    let sizeLimit: Int64
    private(set) var shard: Int
    private var fd: Int32
    private var size: Int64
    private var dirty = false
    private var newFiles = false

    init(directory: URL, sizeLimit: Int64) throws(StoreError) {
        self.directory = directory
        self.sizeLimit = sizeLimit
        shard = ShardFile.list(in: directory).last ?? 1
        (fd, size) = try Self.openForAppend(shard, in: directory)
        newFiles = size == 0
    }

    deinit { if fd >= 0 { close(fd) } }

    private static func openForAppend(_ shard: Int, in directory: URL) throws(StoreError) -> (Int32, Int64) {
        let path = ShardFile.url(shard, in: directory).path
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        return (fd, Int64(lseek(fd, 0, SEEK_END)))
    }

    /// Writes the bytes at the end of the current shard (rotating first if they would not fit).
    func append(_ bytes: [UInt8]) throws(StoreError) -> RecordLocation {
        if size > 0, size + Int64(bytes.count) > sizeLimit {
            try sync()
            close(fd)
            shard += 1
            (fd, size) = try Self.openForAppend(shard, in: directory)
            newFiles = true
        }
        let offset = size
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes {
                guard let base = $0.baseAddress else { return 0 }
                return pwrite(fd, base + written, bytes.count - written, off_t(offset) + off_t(written))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: ShardFile.url(shard, in: directory).path, reason: String(cString: strerror(errno)))
            }
            written += n
        }
        size += Int64(bytes.count)
        dirty = true
        return RecordLocation(shard: shard, offset: offset, length: bytes.count)
    }

    /// Where the next record would go: the shard and its size. A batch marks it before appending
    /// so that a failed append (a full disk) or a refused commit can roll the shards back to it.
    struct Mark: Equatable {
        let shard: Int
        let size: Int64
    }

    var mark: Mark { Mark(shard: shard, size: size) }

    /// Truncates the shards back to `mark`: shards started after it are removed, the marked one is
    /// cut to its marked size. Truncation frees space, so this works on a full disk.
    func rollback(to mark: Mark) throws(StoreError) {
        close(fd)
        fd = -1
        if shard > mark.shard {
            for newer in (mark.shard + 1)...shard { unlink(ShardFile.url(newer, in: directory).path) }
        }
        shard = mark.shard
        let path = ShardFile.url(mark.shard, in: directory).path
        guard truncate(path, off_t(mark.size)) == 0 || errno == ENOENT else {
            let reason = String(cString: strerror(errno))
            (fd, size) = try Self.openForAppend(shard, in: directory)
            throw .io(path: path, reason: "cannot truncate back to byte \(mark.size): \(reason)")
        }
        (fd, size) = try Self.openForAppend(shard, in: directory)
        dirty = false
    }

    /// Re-reads the end of the current shard after another part of the writer truncated it.
    func reopenAfterTruncation() throws(StoreError) {
        close(fd)
        (fd, size) = try Self.openForAppend(shard, in: directory)
    }

    /// fsyncs the shard (and the directory when a shard file was created) so appended bytes survive a crash.
    func sync() throws(StoreError) {
        if dirty {
            guard fsync(fd) == 0 else {
                throw .io(path: ShardFile.url(shard, in: directory).path, reason: String(cString: strerror(errno)))
            }
            dirty = false
        }
        if newFiles {
            let dfd = open(directory.path, O_RDONLY | O_CLOEXEC)
            if dfd >= 0 {
                _ = fsync(dfd)
                close(dfd)
            }
            newFiles = false
        }
    }
}
