import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A whole file read into memory: model weights, which stemtrace reads once per process and then
/// keeps. Large files land on huge pages (`HugePages`): reading 78 MB of spleeter weights into
/// fresh 4 KiB pages cost 19 700 page faults, more than the copy itself.
///
/// The file is hostile input: it must be a regular file no larger than `maximumBytes`, checked
/// before anything is allocated, and a file that shrinks while being read is an error, never a
/// buffer with an uninitialised tail.
public enum WholeFile {
    /// Why a file could not be read.
    public struct ReadError: Error, Equatable, CustomStringConvertible {
        public let path: String
        public let reason: String
        /// True when nothing exists at `path` (callers name the command that makes the file).
        public let isMissing: Bool
        public var description: String { "cannot read \(path): \(reason)" }

        public init(path: String, reason: String, isMissing: Bool = false) {
            self.path = path
            self.reason = reason
            self.isMissing = isMissing
        }
    }

    /// Larger than any model stemtrace loads (spleeter's 5-stem weights are about 200 MB).
    public static let defaultMaximumBytes = 4 << 30

    /// The bytes of `url`.
    public static func read(_ url: URL, maximumBytes: Int = defaultMaximumBytes) throws(ReadError) -> Data {
        let path = url.path
        #if canImport(Glibc)
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw ReadError(path: path, reason: String(cString: strerror(errno)), isMissing: errno == ENOENT)
            }
            defer { close(descriptor) }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
            guard (status.st_mode & S_IFMT) == S_IFREG else { throw ReadError(path: path, reason: "not a regular file") }
            guard status.st_size >= 0, status.st_size <= Int64(maximumBytes) else {
                throw ReadError(path: path, reason: "\(status.st_size) bytes, more than the \(maximumBytes) allowed")
            }
            let count = Int(status.st_size)
            guard count > 0 else { return Data() }
            let pointer = HugePages.allocate(byteCount: count, alignment: 64)
            var filled = 0
            while filled < count {
                let got = Glibc.read(descriptor, pointer + filled, count - filled)
                if got < 0, errno == EINTR { continue }
                guard got > 0 else {
                    let reason =
                        got < 0 ? String(cString: strerror(errno)) : "the file shrank to \(filled) bytes while being read"
                    pointer.deallocate()
                    throw ReadError(path: path, reason: reason)
                }
                filled += got
            }
            return Data(bytesNoCopy: pointer, count: count, deallocator: .custom { pointer, _ in pointer.deallocate() })
        #else
            do { return try Data(contentsOf: url, options: .mappedIfSafe) } catch {
                throw ReadError(
                    path: path, reason: error.localizedDescription, isMissing: !FileManager.default.fileExists(atPath: path))
            }
        #endif
    }
}
