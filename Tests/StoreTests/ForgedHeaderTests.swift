import Core
import Foundation
import Testing

@testable import Store

/// Headers whose checksum still matches but whose sizes are absurd must raise, never trap.
@Suite struct ForgedHeaderTests {
    /// A serialized 1-D record with bytes [at, at+8) replaced and the header checksum recomputed.
    func forged(replacing at: Int, with value: UInt64) throws -> [UInt8] {
        var bytes = try ShardRecord.encode(Tensor(floats: [1, 2, 3, 4], shape: [4])).serialized()
        withUnsafeBytes(of: value.littleEndian) { for i in 0..<8 { bytes[at + i] = $0[i] } }
        let headerLength = ShardRecord.headerLength(ndim: 1)
        let sum = bytes.withUnsafeBytes { ContentHash.xxh32(UnsafeRawBufferPointer(rebasing: $0[0..<(headerLength - 4)])) }
        withUnsafeBytes(of: sum.littleEndian) { for i in 0..<4 { bytes[headerLength - 4 + i] = $0[i] } }
        return bytes
    }

    @Test(arguments: [16, 24, 40])
    func hugeLengthsOrDimensionsRaiseBadRecordHeader(field: Int) throws {
        // A payload length below 2^63 is representable; the reader then checks it against the catalog row.
        let values: [UInt64] = field == 24 ? [.max, 1 << 63] : [.max, 1 << 63, 1 << 62]
        for value in values {
            let bytes = try forged(replacing: field, with: value)
            #expect(throws: StoreError.self) {
                _ = try bytes.withUnsafeBytes { b in
                    try Result { () throws(StoreError) in try ShardRecord.parseHeader(b, shard: 1, offset: 0) }.get()
                }
            }
        }
    }

    /// A raw length no LZ4 payload of that size can expand to is refused before decompression
    /// allocates it (header checksum intact).
    @Test func aRawLengthBeyondWhatThePayloadCanHoldIsRefused() throws {
        var bytes = try ShardRecord.encode(Tensor(floats: [1, 2, 3, 4], shape: [4])).serialized()
        let huge: UInt64 = 1 << 30
        withUnsafeBytes(of: huge.littleEndian) { for i in 0..<8 { bytes[16 + i] = $0[i] } }
        withUnsafeBytes(of: (huge / 4).littleEndian) { for i in 0..<8 { bytes[40 + i] = $0[i] } }  // shape agrees
        let headerLength = ShardRecord.headerLength(ndim: 1)
        let sum = bytes.withUnsafeBytes { ContentHash.xxh32(UnsafeRawBufferPointer(rebasing: $0[0..<(headerLength - 4)])) }
        withUnsafeBytes(of: sum.littleEndian) { for i in 0..<4 { bytes[headerLength - 4 + i] = $0[i] } }
        let error = #expect(throws: StoreError.self) {
            _ = try bytes.withUnsafeBytes { b in
                try Result { () throws(StoreError) in try ShardRecord.parseHeader(b, shard: 1, offset: 0) }.get()
            }
        }
        #expect("\(String(describing: error))".contains("cannot come from"))
    }
}
