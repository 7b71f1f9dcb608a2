import CXXHash
import Foundation

/// Content hashes (xxHash, https://xxhash.com): XXH3-128 identifies content (tracks, configurations,
/// models); XXH64 checksums record payloads; XXH32 guards record headers.
public enum ContentHash {
    /// Incremental XXH3-128 over several byte ranges, as 32 lower-case hex digits.
    public struct Hasher: ~Copyable {
        private let state: OpaquePointer

        public init() {
            guard let state = XXH3_createState() else { fatalError("xxHash could not allocate its hashing state") }
            self.state = state
            XXH3_128bits_reset(state)
        }

        deinit { XXH3_freeState(state) }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
        }

        public mutating func update<T>(_ values: [T]) { values.withUnsafeBytes { update($0) } }

        public mutating func update(_ string: String) { update(Array(string.utf8)) }

        public mutating func update(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { update($0) } }

        public consuming func finalize() -> String {
            let h = XXH3_128bits_digest(state)
            return String(format: "%016llx%016llx", h.high64, h.low64)
        }
    }

    /// XXH3-128 of a string's UTF-8 bytes.
    public static func of(_ string: String) -> String {
        var h = Hasher()
        h.update(string)
        return h.finalize()
    }

    /// XXH3-128 of a value's canonical JSON (sorted keys): the configuration hash stored with
    /// every array and result, so identical settings always hash alike.
    public static func of<T: Encodable>(configuration value: T) -> String {
        of(CanonicalJSON.string(value))
    }

    public static func xxh64(_ bytes: UnsafeRawBufferPointer) -> UInt64 { XXH64(bytes.baseAddress, bytes.count, 0) }
    public static func xxh32(_ bytes: UnsafeRawBufferPointer) -> UInt32 { XXH32(bytes.baseAddress, bytes.count, 0) }
}
