import Foundation

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to `{dtype, shape, data_offsets}` (offsets relative to the
/// first byte after the header), then the raw little-endian data. Matches
/// https://github.com/huggingface/safetensors so files load with `safetensors.numpy.load_file`.
public enum Safetensors {
    /// The largest header this reader accepts, as the reference implementation limits it
    /// (`MAX_HEADER_SIZE`, 100 MB): a forged length can never make it parse gigabytes of JSON.
    public static let maxHeaderLength = 100_000_000

    /// One tensor's header entry after validation: where its bytes lie in the data section.
    struct Entry {
        var name: String
        var dtype: DType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// A validated header: the tensor entries (ordered by offset), the metadata strings and
    /// where the data section starts in the file.
    struct Header {
        var entries: [Entry]
        var metadata: [String: String]
        var dataStart: Int
    }

    /// Parses and validates the header before any tensor byte is touched, as SQLite treats a
    /// database file: every size read from the file is checked with overflow-checked arithmetic.
    /// The header length must fit the file (and `maxHeaderLength`); each entry needs a known
    /// dtype, non-negative dimensions whose element count × width is representable, and
    /// `data_offsets` [begin, end] with begin ≤ end inside the data section and end − begin equal
    /// to that byte size; entries must not overlap.
    static func header(_ data: Data, source: String) throws(SafetensorsError) -> Header {
        guard data.count >= 8 else { throw .malformed(source: source, reason: "shorter than the 8-byte header length") }
        let declared = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(data.count - 8), let headerLength = Int(exactly: declared) else {
            throw .malformed(source: source, reason: "header length \(declared) exceeds the file size \(data.count)")
        }
        guard headerLength <= maxHeaderLength else {
            throw .malformed(source: source, reason: "header length \(headerLength) exceeds the \(maxHeaderLength)-byte limit")
        }
        let headerStart = data.startIndex + 8
        let dataStart = headerStart + headerLength
        let dataLength = data.endIndex - dataStart
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data[headerStart..<dataStart])
        } catch {
            throw .malformed(source: source, reason: "header is not JSON: \(error)")
        }
        guard let object = json as? [String: Any] else { throw .malformed(source: source, reason: "header is not a JSON object") }
        var metadata: [String: String] = [:]
        if let raw = object["__metadata__"] {
            guard let strings = raw as? [String: String] else {
                throw .malformed(source: source, reason: "__metadata__ is not an object of strings")
            }
            metadata = strings
        }
        var entries: [Entry] = []
        for (name, value) in object where name != "__metadata__" {
            guard let entry = value as? [String: Any],
                let dtypeName = entry["dtype"] as? String,
                let shapeNumbers = entry["shape"] as? [NSNumber],
                let offsetNumbers = entry["data_offsets"] as? [NSNumber], offsetNumbers.count == 2
            else { throw .malformed(source: source, reason: "entry '\(name)' lacks dtype, shape or data_offsets") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw .unsupportedDType(source: source, tensor: name, dtype: dtypeName)
            }
            guard let shape = integers(shapeNumbers), let offsets = integers(offsetNumbers) else {
                throw .malformed(source: source, reason: "entry '\(name)': shape and data_offsets must be integers")
            }
            guard let byteCount = Tensor.byteCount(shape: shape, dtype: dtype) else {
                throw .malformed(
                    source: source, reason: "entry '\(name)': shape \(shape) of \(dtype.rawValue) is negative or too large")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw .malformed(
                    source: source,
                    reason: "entry '\(name)': data_offsets [\(begin), \(end)] lie outside the \(dataLength)-byte data section")
            }
            guard end - begin == byteCount else {
                throw .malformed(
                    source: source,
                    reason:
                        "entry '\(name)': data_offsets [\(begin), \(end)] hold \(end - begin) bytes, shape \(shape) of \(dtype.rawValue) needs \(byteCount)"
                )
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw .malformed(source: source, reason: "entries '\(previous.name)' and '\(next.name)' overlap")
        }
        return Header(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    /// JSON numbers as `Int`, or nil when one is not a plain integer in range (1.5, 1e300, 2^64):
    /// the number's own decimal text must parse as an `Int`, so nothing is rounded or truncated.
    private static func integers(_ numbers: [NSNumber]) -> [Int]? {
        var out: [Int] = []
        out.reserveCapacity(numbers.count)
        for n in numbers {
            guard let exact = Int(n.stringValue) else { return nil }
            out.append(exact)
        }
        return out
    }

    /// Parses a whole file held in memory (header validated first; see `header(_:source:)`).
    public static func decode(_ data: Data, source: String = "<memory>") throws(SafetensorsError) -> [String: Tensor] {
        try decodeWithMetadata(data, source: source).tensors
    }

    /// The tensors and the `__metadata__` strings of a file held in memory, from one parse of
    /// its header. Each tensor's bytes are a slice of `data`, sharing its buffer (a copy per
    /// tensor cost spleeter's 78 MB model 43 ms of page faults and copying); `Tensor` reads them
    /// with unaligned loads and `copyBytes`, so neither the slice's offset nor its alignment matters.
    /// The buffer lives as long as any of its tensors. `read(contentsOf:)` reads the file into
    /// memory (Foundation maps `.mappedIfSafe` files only on Apple platforms), so a model file
    /// rewritten while a run uses its tensors cannot pull pages from under them.
    public static func decodeWithMetadata(_ data: Data, source: String = "<memory>") throws(SafetensorsError) -> (
        tensors: [String: Tensor], metadata: [String: String]
    ) {
        let parsed = try header(data, source: source)
        var tensors: [String: Tensor] = [:]
        for entry in parsed.entries {
            let begin = parsed.dataStart + entry.begin
            let end = parsed.dataStart + entry.end
            do {
                tensors[entry.name] = try Tensor(dtype: entry.dtype, shape: entry.shape, bytes: data[begin..<end])
            } catch {
                throw .malformed(source: source, reason: "entry '\(entry.name)': \(error)")
            }
        }
        return (tensors, parsed.metadata)
    }

    /// The `__metadata__` strings of a file held in memory (empty when there are none).
    public static func metadata(_ data: Data, source: String = "<memory>") throws(SafetensorsError) -> [String: String] {
        try header(data, source: source).metadata
    }

    /// Reads a file from disk.
    public static func read(contentsOf url: URL) throws(SafetensorsError) -> [String: Tensor] {
        let data: Data
        do { data = try WholeFile.read(url) } catch { throw .io(path: url.path, reason: error.reason) }
        return try decode(data, source: url.path)
    }

    /// Serialises tensors (names sorted, data in that order, header padded with spaces to a
    /// multiple of 8 bytes as the reference writer does).
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        let (header, names, byteCount) = encodedHeader(tensors, metadata: metadata)
        var out = Data(capacity: header.count + byteCount)
        out.append(header)
        for name in names { if let t = tensors[name] { out.append(t.bytes) } }
        return out
    }

    /// The length prefix and JSON header (padded to 8 bytes) of `tensors` in name order, the
    /// names in that order, and the total size of the tensor data that follows.
    private static func encodedHeader(
        _ tensors: [String: Tensor], metadata: [String: String]
    ) -> (header: Data, names: [String], byteCount: Int) {
        let names = tensors.keys.sorted()
        let entries = names.compactMap { name in
            tensors[name].map { (name: name, dtype: $0.dtype.rawValue, shape: $0.shape, byteCount: $0.bytes.count) }
        }
        let (header, byteCount) = encodedHeader(entries, metadata: metadata)
        return (header, names, byteCount)
    }

    /// The header of tensors given by name, dtype, shape and size, in the order given.
    private static func encodedHeader(
        _ entries: [(name: String, dtype: String, shape: [Int], byteCount: Int)], metadata: [String: String]
    ) -> (header: Data, byteCount: Int) {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            fields.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        var offset = 0
        for entry in entries {
            let end = offset + entry.byteCount
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(
                "\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            )
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Data(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = Data(capacity: 8 + headerBytes.count)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(headerBytes)
        return (out, offset)
    }

    /// Writes one float32 tensor straight from `values`, without copying them into a `Tensor`
    /// first (a 10-minute spectrogram is 11 MB), atomically like `write(_:metadata:to:)`.
    public static func write(
        floats values: [Float], shape: [Int], name: String, metadata: [String: String] = [:], to url: URL
    ) throws(SafetensorsError) {
        precondition(Tensor.elementCount(shape) == values.count, "shape \(shape) does not hold \(values.count) values")
        let (header, _) = encodedHeader(
            [(name: name, dtype: DType.f32.rawValue, shape: shape, byteCount: values.count * MemoryLayout<Float>.stride)],
            metadata: metadata)
        try writeAtomically(to: url) { handle in
            try handle.write(contentsOf: header)
            try values.withUnsafeBytes { try handle.write(contentsOf: $0) }
        }
    }

    /// Writes a file atomically: a temporary file beside it, renamed into place when complete.
    /// The tensors' bytes go to the file as they are, without first assembling the whole file
    /// in memory (a 10-minute spectrogram is 11 MB).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws(SafetensorsError)
    {
        let (header, names, _) = encodedHeader(tensors, metadata: metadata)
        try writeAtomically(to: url) { handle in
            try handle.write(contentsOf: header)
            for name in names { if let t = tensors[name] { try handle.write(contentsOf: t.bytes) } }
        }
    }

    /// Runs `body` on a temporary file beside `url` and renames it into place when `body` returns;
    /// removes it when anything fails.
    private static func writeAtomically(to url: URL, _ body: (FileHandle) throws -> Void) throws(SafetensorsError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw SafetensorsError.io(path: url.path, reason: "cannot create \(temporary.path)")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            do {
                try body(handle)
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            guard rename(temporary.path, url.path) == 0 else {
                throw SafetensorsError.io(path: url.path, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
            }
        } catch let error as SafetensorsError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .io(path: url.path, reason: error.localizedDescription)
        }
    }

    private static func jsonString(_ s: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else { return "\"\"" }
        return String(text.dropFirst().dropLast())
    }
}

/// Errors from reading or writing safetensors files; each names the file.
public enum SafetensorsError: Error, CustomStringConvertible {
    case io(path: String, reason: String)
    case malformed(source: String, reason: String)
    case unsupportedDType(source: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case let .io(path, reason): "\(path): \(reason)"
        case let .malformed(source, reason): "\(source): not a valid safetensors file: \(reason)"
        case let .unsupportedDType(source, tensor, dtype): "\(source): tensor '\(tensor)' has unsupported dtype \(dtype)"
        }
    }
}
