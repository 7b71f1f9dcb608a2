import Foundation
import Store

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to `{dtype, shape, data_offsets}` (offsets relative to the
/// first byte after the header), then the raw little-endian data. Matches
/// https://github.com/huggingface/safetensors so files load with `safetensors.numpy.load_file`.
public enum Safetensors {
    /// Parses a whole file held in memory.
    public static func decode(_ data: Data, source: String = "<memory>") throws(SafetensorsError) -> [String: Tensor] {
        guard data.count >= 8 else { throw .malformed(source: source, reason: "shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw .malformed(source: source, reason: "header length \(headerLength) exceeds file size \(data.count)")
        }
        let headerStart = data.startIndex + 8
        let dataStart = headerStart + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data[headerStart..<dataStart])
        } catch {
            throw .malformed(source: source, reason: "header is not JSON: \(error)")
        }
        guard let header = json as? [String: Any] else { throw .malformed(source: source, reason: "header is not a JSON object") }
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any],
                let dtypeName = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int],
                let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw .malformed(source: source, reason: "entry '\(name)' lacks dtype, shape or data_offsets") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw .unsupportedDType(source: source, tensor: name, dtype: dtypeName)
            }
            let begin = dataStart + offsets[0]
            let end = dataStart + offsets[1]
            guard offsets[0] >= 0, begin <= end, end <= data.endIndex else {
                throw .malformed(source: source, reason: "entry '\(name)' points outside the file")
            }
            do {
                tensors[name] = try Tensor(dtype: dtype, shape: shape, bytes: Data(data[begin..<end]))
            } catch {
                throw .malformed(source: source, reason: "entry '\(name)': \(error)")
            }
        }
        return tensors
    }

    /// The `__metadata__` strings of a file held in memory (empty when there are none).
    public static func metadata(_ data: Data) throws(SafetensorsError) -> [String: String] {
        guard data.count >= 8 else { throw .malformed(source: "<memory>", reason: "shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw .malformed(source: "<memory>", reason: "header too long") }
        let start = data.startIndex + 8
        guard let json = try? JSONSerialization.jsonObject(with: data[start..<(start + Int(headerLength))]) as? [String: Any]
        else {
            throw .malformed(source: "<memory>", reason: "header is not a JSON object")
        }
        return (json["__metadata__"] as? [String: String]) ?? [:]
    }

    /// Reads a file from disk.
    public static func read(contentsOf url: URL) throws(SafetensorsError) -> [String: Tensor] {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw .io(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, source: url.path)
    }

    /// Serialises tensors (names sorted, data in that order, header padded with spaces to a
    /// multiple of 8 bytes as the reference writer does).
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            fields.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let t = tensors[name] else { continue }
            let end = offset + t.bytes.count
            let shape = t.shape.map(String.init).joined(separator: ",")
            fields.append(
                "\(jsonString(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            )
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Data(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(headerBytes)
        for name in names { if let t = tensors[name] { out.append(t.bytes) } }
        return out
    }

    /// Writes a file atomically.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws(SafetensorsError)
    {
        do { try encode(tensors, metadata: metadata).write(to: url, options: .atomic) } catch {
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
