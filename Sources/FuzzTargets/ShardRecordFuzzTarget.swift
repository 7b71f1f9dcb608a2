import Core
import Foundation
import Store

/// Fuzz target for the shard record reader: `ShardRecord.parseHeader`, then, when the bytes hold
/// the whole record, `decode` of its payload (checksums, LZ4 frame, unshuffle, shape).
///
/// Checksums guard against damage, not against a forger: a hostile shard can carry correct ones,
/// but random mutations almost never produce them and would stop at the checksum tests. So each
/// input is read twice, as given and with both checksums recomputed (`withChecksumsFixed`), to
/// reach the size checks, LZ4 and the unshuffle behind them. A record that decodes must also
/// survive `ShardRecord.encode` and a second read unchanged.
public enum ShardRecordFuzzTarget {
    public static func run(_ data: Data) {
        let bytes = [UInt8](data)
        check(bytes)
        let forged = withChecksumsFixed(bytes)
        if forged != bytes { check(forged) }
    }

    /// The record in `bytes` (at offset 0) as a tensor, or nil when `bytes` ends before the record
    /// its header describes does.
    public static func read(_ bytes: [UInt8]) throws(StoreError) -> Tensor? {
        let (header, total) = try bytes.withUnsafeBytes { raw in
            Result { () throws(StoreError) in try ShardRecord.parseHeader(raw, shard: 0, offset: 0) }
        }.get()
        guard total <= bytes.count else { return nil }
        var record = header
        record.payload = Array(bytes[record.headerLength..<total])
        return try record.decode(record: 0, shard: 0, offset: 0)
    }

    /// `bytes` with the payload's XXH64 (when the payload fits in `bytes`) and the header's XXH32
    /// set to what they must be, everything else unchanged.
    public static func withChecksumsFixed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= ShardRecord.headerLength(ndim: 0) else { return bytes }
        let header = ShardRecord.headerLength(ndim: Int(bytes[9]))
        guard bytes.count >= header else { return bytes }
        var out = bytes
        let payloadLength = out.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self)) }
        if payloadLength <= UInt64(out.count - header) {
            let end = header + Int(payloadLength)
            let sum = out[header..<end].withUnsafeBytes { ContentHash.xxh64($0) }
            withUnsafeBytes(of: sum.littleEndian) { out.replaceSubrange(32..<40, with: $0) }
        }
        let check = out[0..<(header - 4)].withUnsafeBytes { ContentHash.xxh32($0) }
        withUnsafeBytes(of: check.littleEndian) { out.replaceSubrange((header - 4)..<header, with: $0) }
        return out
    }

    private static func check(_ bytes: [UInt8]) {
        guard let tensor = try? read(bytes) else { return }
        do {
            let again = try read(try ShardRecord.encode(tensor).serialized())
            precondition(again == tensor, "a decoded record changes through encode and a second read")
        } catch {
            preconditionFailure("a re-encoded record is refused: \(error)")
        }
    }
}
