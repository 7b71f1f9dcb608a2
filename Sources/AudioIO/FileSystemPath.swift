import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file's path as the file system holds it: bytes, which on Linux need not be UTF-8. Swift's
/// `String` and `URL` repair invalid UTF-8, after which the path names another (usually missing)
/// file; this type keeps the bytes, so such a file can still be opened, and gives it a reversible
/// text form for the catalog and for messages.
///
/// `text` is the path itself when it is valid UTF-8 and holds no `%` followed by two hex digits
/// (every ordinary path); otherwise each byte of an invalid UTF-8 sequence is written `%XX`
/// (upper-case hex), and so is each `%` that precedes two hex digits (as `%25`). `init(text:)`
/// reverses it exactly, whatever the bytes (docs/FORMAT.md, "Source paths").
///
/// ```swift
/// let path = FileSystemPath(bytes: Array("/music/caf".utf8) + [0xE9] + Array(".wav".utf8))
/// path.text  // "/music/caf%E9.wav"
/// FileSystemPath(text: path.text) == path  // true
/// ```
public struct FileSystemPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The path's bytes, without a terminating NUL.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The path of a Swift string (its UTF-8 bytes).
    public init(_ path: String) { self.bytes = Array(path.utf8) }

    /// The path a `text` form stands for: every `%XX` (two hex digits) becomes that byte.
    public init(text: String) {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count, let high = Self.hexValue(utf8[i + 1]),
                let low = Self.hexValue(utf8[i + 2])
            {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        self.bytes = out
    }

    /// The reversible text form (see the type's documentation).
    public var text: String {
        var out = ""
        var i = 0
        let b = bytes
        while i < b.count {
            let length = Self.validSequenceLength(b, at: i)
            if length == 0 {
                out += Self.escaped(b[i])
                i += 1
            } else if b[i] == UInt8(ascii: "%"), i + 2 < b.count, Self.hexValue(b[i + 1]) != nil, Self.hexValue(b[i + 2]) != nil {
                out += "%25"
                i += 1
            } else {
                out += String(decoding: b[i..<(i + length)], as: UTF8.self)
                i += length
            }
        }
        return out
    }

    public var description: String { text }

    /// Whether the bytes are valid UTF-8 (so `text` is the path itself unless it holds `%XX`).
    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// The last path component's bytes.
    public var lastComponent: [UInt8] {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return bytes }
        return Array(bytes[(slash + 1)...])
    }

    /// The extension of the last component, lower-cased ASCII ("" when there is none).
    public var pathExtension: String {
        let name = lastComponent
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
    }

    /// This path with `component` appended after a `/`.
    public func appending(_ component: [UInt8]) -> FileSystemPath {
        FileSystemPath(bytes: bytes.last == UInt8(ascii: "/") ? bytes + component : bytes + [UInt8(ascii: "/")] + component)
    }

    /// A file URL of the text form: for matching and display only; it opens the file only when
    /// the path is valid UTF-8.
    public var url: URL { URL(fileURLWithPath: text) }

    /// Calls `body` with the NUL-terminated bytes, for POSIX and C library calls.
    public func withCString<T>(_ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        try Self.pass(bytes.map { CChar(bitPattern: $0) } + [0], to: body)
    }

    /// The array-to-pointer conversion of a call argument: valid for the duration of `body`.
    private static func pass<T>(_ chars: UnsafePointer<CChar>, to body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        try body(chars)
    }

    public static func < (a: FileSystemPath, b: FileSystemPath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    // MARK: - Encoding helpers

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    private static func escaped(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }

    /// The length of the valid UTF-8 sequence starting at `i` (1–4), or 0 when the byte there
    /// does not start one (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
    static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        func continuation(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            i + k < b.count && range.contains(b[i + k])
        }
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }
}
