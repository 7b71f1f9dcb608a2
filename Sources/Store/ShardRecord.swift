import Core
import Foundation

/// One array as stored in a shard: a fixed little-endian header, then the payload (docs/FORMAT.md).
///
/// ```
/// offset  size  field
///  0       4    magic "STRC"
///  4       2    format version (1)
///  6       1    codec   (0 none, 1 LZ4 frame)
///  7       1    filter  (0 none, 1 byte shuffle by element width)
///  8       1    dtype code (DType.code)
///  9       1    ndim
/// 10       2    reserved, 0
/// 12       4    header length H = 44 + 8 * ndim
/// 16       8    raw length (bytes before filter and codec)
/// 24       8    payload length P
/// 32       8    XXH64 of the payload
/// 40       8n   shape, one Int64 per dimension
/// 40+8n    4    XXH32 of header bytes [0, 40+8n)
/// H        P    payload
/// ```
public struct ShardRecord: Sendable, Equatable {
    public static let magic: [UInt8] = Array("STRC".utf8)
    public static let version: UInt16 = 1

    public enum Codec: UInt8, Sendable {
        case none = 0
        case lz4Frame = 1
        public var name: String { self == .none ? "none" : "lz4-frame" }
    }
    public enum Filter: UInt8, Sendable {
        case none = 0
        case shuffle = 1
        public var name: String { self == .none ? "none" : "shuffle" }
    }

    public var codec: Codec
    public var filter: Filter
    public var dtype: DType
    public var shape: [Int]
    public var rawLength: Int
    public var payload: [UInt8]
    public var payloadChecksum: UInt64

    public static func headerLength(ndim: Int) -> Int { 44 + 8 * ndim }

    /// The largest decoded array a record may hold (2 GiB: three hours of a 22 050 Hz excerpt
    /// is under 1 GiB). A header or catalog row claiming more is refused before allocation.
    public static let maxRawLength = 1 << 31
    /// The largest record (header and payload) a reader accepts.
    public static let maxRecordLength = maxRawLength + (1 << 20)
    /// LZ4 expands at most about 255-fold (one token byte covers at most 255 + 19 bytes of a
    /// match); a raw length beyond this bound cannot come from the payload and is refused.
    static func rawLengthFits(_ raw: Int, payload: Int, codec: Codec) -> Bool {
        switch codec {
        case .none: return raw == payload
        case .lz4Frame:
            let (bound, overflow) = payload.multipliedReportingOverflow(by: 256)
            return overflow || raw <= bound + 65536
        }
    }
    public var headerLength: Int { Self.headerLength(ndim: shape.count) }
    public var totalLength: Int { headerLength + payload.count }

    /// Compresses a tensor: LZ4 frame, with a byte shuffle first for floats when that is smaller.
    public static func encode(_ tensor: Tensor) throws(StoreError) -> ShardRecord {
        var best = try tensor.bytes.withUnsafeBytes { raw in Result { () throws(StoreError) in try LZ4Frame.compress(raw) } }
            .get()
        var filter = Filter.none
        if tensor.dtype.isFloatingPoint, tensor.dtype.byteWidth > 1 {
            let shuffled = tensor.bytes.withUnsafeBytes { ByteShuffle.shuffle($0, width: tensor.dtype.byteWidth) }
            let packed = try shuffled.withUnsafeBytes { raw in Result { () throws(StoreError) in try LZ4Frame.compress(raw) } }
                .get()
            if packed.count < best.count {
                best = packed
                filter = .shuffle
            }
        }
        let checksum = best.withUnsafeBytes { ContentHash.xxh64($0) }
        return ShardRecord(
            codec: .lz4Frame, filter: filter, dtype: tensor.dtype, shape: tensor.shape,
            rawLength: tensor.bytes.count, payload: best, payloadChecksum: checksum)
    }

    /// The header bytes followed by the payload.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(totalLength)
        out += Self.magic
        append(Self.version, to: &out)
        out += [codec.rawValue, filter.rawValue, dtype.code, UInt8(shape.count), 0, 0]
        append(UInt32(headerLength), to: &out)
        append(UInt64(rawLength), to: &out)
        append(UInt64(payload.count), to: &out)
        append(payloadChecksum, to: &out)
        for d in shape { append(Int64(d), to: &out) }
        append(out.withUnsafeBytes { ContentHash.xxh32($0) }, to: &out)
        out += payload
        return out
    }

    /// Parses and validates a header; returns the record without its payload and the total
    /// record length (header plus payload).
    public static func parseHeader(_ bytes: UnsafeRawBufferPointer, shard: Int, offset: Int64) throws(StoreError) -> (
        ShardRecord, Int
    ) {
        func fail(_ reason: String) -> StoreError { .badRecordHeader(shard: shard, offset: offset, reason: reason) }
        guard bytes.count >= 44 else { throw fail("only \(bytes.count) bytes") }
        guard Array(bytes[0..<4]) == magic else { throw fail("bad magic") }
        let version: UInt16 = read(bytes, 4)
        guard version == Self.version else { throw fail("unknown version \(version)") }
        guard let codec = Codec(rawValue: bytes[6]) else { throw fail("unknown codec \(bytes[6])") }
        guard let filter = Filter(rawValue: bytes[7]) else { throw fail("unknown filter \(bytes[7])") }
        guard let dtype = DType(code: bytes[8]) else { throw fail("unknown dtype code \(bytes[8])") }
        let ndim = Int(bytes[9])
        let header = Int(read(bytes, 12) as UInt32)
        guard header == headerLength(ndim: ndim), bytes.count >= header else {
            throw fail("header length \(header) for \(ndim) dimensions")
        }
        let stored: UInt32 = read(bytes, header - 4)
        guard ContentHash.xxh32(UnsafeRawBufferPointer(rebasing: bytes[0..<(header - 4)])) == stored else {
            throw fail("header checksum mismatch")
        }
        // Sizes are validated before use so a damaged (or forged) header raises, never traps.
        guard let rawLength = Int(exactly: read(bytes, 16) as UInt64),
            let payloadLength = Int(exactly: read(bytes, 24) as UInt64),
            payloadLength <= Int.max - header
        else { throw fail("lengths out of range") }
        guard rawLength <= maxRawLength, header + payloadLength <= maxRecordLength else {
            throw fail("raw length \(rawLength) or payload length \(payloadLength) exceeds the record limit")
        }
        guard rawLengthFits(rawLength, payload: payloadLength, codec: codec) else {
            throw fail("raw length \(rawLength) cannot come from a \(payloadLength)-byte \(codec.name) payload")
        }
        let checksum: UInt64 = read(bytes, 32)
        let shape = (0..<ndim).map { Int(read(bytes, 40 + 8 * $0) as Int64) }
        var elements = 1
        for d in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow else { throw fail("invalid shape \(shape)") }
            elements = product
        }
        guard elements.multipliedReportingOverflow(by: dtype.byteWidth) == (rawLength, false) else {
            throw fail("shape \(shape) does not match raw length \(rawLength)")
        }
        let record = ShardRecord(
            codec: codec, filter: filter, dtype: dtype, shape: shape, rawLength: rawLength,
            payload: [], payloadChecksum: checksum)
        return (record, header + payloadLength)
    }

    /// Verifies the payload checksum, decompresses and unshuffles into a tensor.
    public func decode(record id: Int64, shard: Int, offset: Int64) throws(StoreError) -> Tensor {
        let sum = payload.withUnsafeBytes { ContentHash.xxh64($0) }
        guard sum == payloadChecksum else { throw .checksumMismatch(record: id, shard: shard, offset: offset) }
        var raw: [UInt8]
        switch codec {
        case .none: raw = payload
        case .lz4Frame:
            switch payload.withUnsafeBytes({ LZ4Frame.decompress($0, rawLength: rawLength) }) {
            case let .success(bytes): raw = bytes
            case let .failure(e): throw .decompression(record: id, shard: shard, offset: offset, reason: e.message)
            }
        }
        if filter == .shuffle { raw = raw.withUnsafeBytes { ByteShuffle.unshuffle($0, width: dtype.byteWidth) } }
        do { return try Tensor(dtype: dtype, shape: shape, bytes: Data(raw)) } catch {
            throw .recordMismatch(record: id, reason: error.description)
        }
    }

    private func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    private static func read<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
    }
}
