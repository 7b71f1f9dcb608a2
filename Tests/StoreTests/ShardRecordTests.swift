import Core
import Foundation
import Testing

@testable import Store

/// A named tensor for parameterised round trips.
struct RecordCase: Sendable, CustomTestStringConvertible {
    let label: String
    let tensor: Tensor
    var testDescription: String { label }

    static let all: [RecordCase] = {
        let special: [Float] = [
            0, -0.0, .infinity, -.infinity, .nan, Float(bitPattern: 0x7FC0_1234),
            .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1, -1, 0.1, 1e-30,
        ]
        func f32(_ shape: [Int], _ values: [Float]) -> RecordCase {
            RecordCase(label: "F32 \(shape)", tensor: Tensor(floats: values, shape: shape))
        }
        func f64(_ shape: [Int], _ values: [Double]) -> RecordCase {
            RecordCase(label: "F64 \(shape)", tensor: try! StoreTestData.doubles(values, shape: shape))
        }
        func i64(_ shape: [Int], _ values: [Int64]) -> RecordCase {
            RecordCase(label: "I64 \(shape)", tensor: Tensor(int64s: values, shape: shape))
        }
        func raw(_ dtype: DType, _ shape: [Int]) -> RecordCase {
            let count = shape.reduce(1, *) * dtype.byteWidth
            let bytes = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) })
            return RecordCase(label: "\(dtype.rawValue) \(shape)", tensor: try! Tensor(dtype: dtype, shape: shape, bytes: bytes))
        }
        return [
            f32([0], []), f32([3, 0], []), f32([], [42.5]), f32([1], [-7]), f32([12], special),
            f32([3, 5], (0..<15).map { Float($0) * 0.5 }), f32([2, 3, 4], StoreTestData.smoothFloats(24)),
            f32([4096], StoreTestData.smoothFloats(4096)), f32([64, 64], StoreTestData.noiseFloats(4096, seed: 3)),
            f64([0], []), f64([], [.pi]), f64([1], [-.nan]), f64([7, 3], (0..<21).map { sin(Double($0)) }),
            f64([1000], (0..<1000).map { 1000 + Double($0) / 3 }),
            i64([0], []), i64([], [Int64.min]), i64([1], [Int64.max]), i64([4, 4], (0..<16).map { Int64($0) * -1_000_003 }),
            i64([3000], (0..<3000).map { Int64($0 / 10) }),
            raw(.i32, [5, 3]), raw(.i16, [7]), raw(.u8, [13]), raw(.u8, [0]),
        ]
    }()
}

/// Shard records: fixed header layout, exact round trips, the shuffle choice, and the checks
/// that reject damaged or unknown headers and payloads.
@Suite struct ShardRecordTests {
    /// Encodes, serialises, parses the header and decodes, as a reader would.
    static func roundTrip(_ tensor: Tensor) throws -> Tensor {
        let bytes = try ShardRecord.encode(tensor).serialized()
        var (record, total) = try bytes.withUnsafeBytes { try ShardRecord.parseHeader($0, shard: 1, offset: 0) }
        #expect(total == bytes.count)
        record.payload = Array(bytes[record.headerLength...])
        return try record.decode(record: 1, shard: 1, offset: 0)
    }

    static func parse(_ bytes: [UInt8]) throws -> ShardRecord {
        try bytes.withUnsafeBytes { try ShardRecord.parseHeader($0, shard: 4, offset: 128) }.0
    }

    /// Sets one header byte and re-stamps the header checksum, so only that field is wrong.
    static func patchHeader(_ bytes: [UInt8], at index: Int, to value: UInt8) -> [UInt8] {
        var out = bytes
        out[index] = value
        let ndim = Int(out[9])
        let checksumAt = ShardRecord.headerLength(ndim: ndim) - 4
        let sum = out[0..<checksumAt].withUnsafeBytes { ContentHash.xxh32($0) }
        withUnsafeBytes(of: sum.littleEndian) { out.replaceSubrange(checksumAt..<(checksumAt + 4), with: $0) }
        return out
    }

    /// The reason of the `.badRecordHeader` that parsing raises (nil when it parses or fails otherwise).
    static func badHeaderReason(_ bytes: [UInt8]) -> String? {
        do {
            _ = try parse(bytes)
            return nil
        } catch let StoreError.badRecordHeader(shard, offset, reason) where shard == 4 && offset == 128 {
            return reason
        } catch {
            return nil
        }
    }

    @Test(arguments: RecordCase.all)
    func encodeSerializeParseDecodeIsBitExact(_ sample: RecordCase) throws {
        let back = try Self.roundTrip(sample.tensor)
        #expect(back.dtype == sample.tensor.dtype)
        #expect(back.shape == sample.tensor.shape)
        #expect(back.bytes == sample.tensor.bytes, "payload bytes differ")
    }

    @Test(arguments: RecordCase.all)
    func parsedHeaderMatchesTheEncodedRecord(_ sample: RecordCase) throws {
        let record = try ShardRecord.encode(sample.tensor)
        let bytes = record.serialized()
        #expect(bytes.count == record.totalLength)
        let parsed = try Self.parse(bytes)
        #expect(parsed.codec == record.codec && parsed.filter == record.filter && parsed.dtype == record.dtype)
        #expect(parsed.shape == record.shape && parsed.rawLength == sample.tensor.bytes.count)
        #expect(parsed.payloadChecksum == record.payloadChecksum)
        #expect(parsed.payload.isEmpty, "parseHeader returns the header only")
    }

    @Test func headerLayoutFollowsTheDocumentedFormat() throws {
        let tensor = Tensor(floats: StoreTestData.smoothFloats(6), shape: [2, 3])
        let record = try ShardRecord.encode(tensor)
        let bytes = record.serialized()
        func le(_ range: Range<Int>) -> UInt64 { range.reversed().reduce(0) { $0 << 8 | UInt64(bytes[$1]) } }
        #expect(Array(bytes[0..<4]) == Array("STRC".utf8))
        #expect(le(4..<6) == 1, "format version")
        #expect(bytes[6] == 1 && bytes[8] == DType.f32.code && bytes[9] == 2)
        #expect(bytes[10] == 0 && bytes[11] == 0, "reserved")
        #expect(le(12..<16) == 60, "header length 44 + 8 × 2")
        #expect(le(16..<24) == 24, "raw length")
        #expect(le(24..<32) == UInt64(record.payload.count))
        #expect(le(32..<40) == record.payloadChecksum)
        #expect(le(40..<48) == 2 && le(48..<56) == 3, "shape")
        #expect(UInt32(le(56..<60)) == bytes[0..<56].withUnsafeBytes { ContentHash.xxh32($0) })
        #expect(Array(bytes[60...]) == record.payload)
    }

    @Test func zeroDimensionalTensorHasTheMinimalHeader() throws {
        let record = try ShardRecord.encode(Tensor(floats: [3.25], shape: []))
        #expect(record.headerLength == 44)
        #expect(record.serialized()[9] == 0, "ndim")
        #expect(try Self.roundTrip(Tensor(floats: [3.25], shape: [])).floats() == [3.25])
    }

    @Test func shuffleIsChosenForASmoothFloatSignalWhereItIsSmaller() throws {
        let tensor = Tensor(floats: StoreTestData.smoothFloats(16_384), shape: [16_384])
        let record = try ShardRecord.encode(tensor)
        #expect(record.filter == .shuffle)
        #expect(record.codec == .lz4Frame)
        let plain = try tensor.bytes.withUnsafeBytes { try LZ4Frame.compress($0) }
        #expect(record.payload.count < plain.count, "shuffled \(record.payload.count) vs plain \(plain.count) bytes")
        #expect(record.payload.count < tensor.bytes.count, "and smaller than the raw bytes")
    }

    @Test(arguments: RecordCase.all)
    func encodeKeepsTheSmallerOfPlainAndShuffledFrames(_ sample: RecordCase) throws {
        let tensor = sample.tensor
        let record = try ShardRecord.encode(tensor)
        let plain = try tensor.bytes.withUnsafeBytes { try LZ4Frame.compress($0) }
        #expect(record.payload.count <= plain.count)
        switch record.filter {
        case .none:
            #expect(record.payload == plain)
        case .shuffle:
            #expect(tensor.dtype.isFloatingPoint)
            let shuffled = tensor.bytes.withUnsafeBytes { ByteShuffle.shuffle($0, width: tensor.dtype.byteWidth) }
            #expect(record.payload == (try shuffled.withUnsafeBytes { try LZ4Frame.compress($0) }))
            #expect(record.payload.count < plain.count, "shuffle is kept only when strictly smaller")
        }
        #expect(record.payloadChecksum == record.payload.withUnsafeBytes { ContentHash.xxh64($0) })
    }

    @Test func integersAreNeverShuffled() throws {
        let tensor = Tensor(int64s: (0..<4096).map { Int64($0) }, shape: [4096])
        #expect(try ShardRecord.encode(tensor).filter == .none)
    }

    @Test func flippedPayloadByteRaisesChecksumMismatch() throws {
        let bytes = try ShardRecord.encode(Tensor(floats: StoreTestData.smoothFloats(1000), shape: [1000])).serialized()
        var record = try Self.parse(bytes)
        for position in [record.headerLength, record.headerLength + 17, bytes.count - 1] {
            var damaged = bytes
            damaged[position] ^= 0x01
            record.payload = Array(damaged[record.headerLength...])
            #expect(throws: StoreError.checksumMismatch(record: 42, shard: 4, offset: 128), "flipped byte \(position)") {
                try record.decode(record: 42, shard: 4, offset: 128)
            }
        }
    }

    @Test func damagedFrameWithMatchingChecksumRaisesDecompression() throws {
        let original = try ShardRecord.encode(Tensor(floats: StoreTestData.noiseFloats(500, seed: 9), shape: [500]))
        var record = original
        record.payload[record.payload.count / 2] ^= 0x10
        record.payloadChecksum = record.payload.withUnsafeBytes { ContentHash.xxh64($0) }
        let error = #expect(throws: StoreError.self) { try record.decode(record: 5, shard: 2, offset: 64) }
        guard case let .decompression(id, shard, offset, _)? = error else {
            Issue.record("expected .decompression, got \(String(describing: error))")
            return
        }
        #expect(id == 5 && shard == 2 && offset == 64)
    }

    @Test func everyFlippedHeaderByteRaisesBadRecordHeader() throws {
        let bytes = try ShardRecord.encode(Tensor(floats: StoreTestData.smoothFloats(24), shape: [2, 3, 4])).serialized()
        #expect(Self.badHeaderReason(bytes) == nil && (try? Self.parse(bytes)) != nil, "the undamaged record parses")
        for position in 0..<ShardRecord.headerLength(ndim: 3) {
            var damaged = bytes
            damaged[position] ^= 0xFF
            #expect(Self.badHeaderReason(damaged) != nil, "flipped header byte \(position)")
        }
    }

    @Test func unknownCodecFilterDtypeAndVersionAreRejected() throws {
        let bytes = try ShardRecord.encode(Tensor(floats: [1, 2, 3], shape: [3])).serialized()
        let cases: [(index: Int, value: UInt8, word: String)] = [
            (6, 2, "codec"), (6, 0xFF, "codec"), (7, 2, "filter"),
            (8, 6, "dtype"), (8, 200, "dtype"), (4, 2, "version"),
        ]
        for (index, value, word) in cases {
            let reason = Self.badHeaderReason(Self.patchHeader(bytes, at: index, to: value))
            #expect(reason?.contains(word) == true, "byte \(index) = \(value): \(reason ?? "accepted")")
        }
    }

    @Test func everyKnownDtypeCodeIsAccepted() throws {
        for dtype in DType.allCases {
            #expect(DType(code: dtype.code) == dtype)
            let bytes = [UInt8](repeating: 1, count: dtype.byteWidth * 2)
            let tensor = try Tensor(dtype: dtype, shape: [2], bytes: Data(bytes))
            #expect(try Self.roundTrip(tensor) == tensor, "\(dtype)")
        }
        #expect(DType(code: UInt8(DType.allCases.count)) == nil)
    }

    @Test func shapeThatDisagreesWithRawLengthIsRejected() throws {
        let bytes = try ShardRecord.encode(Tensor(floats: [1, 2, 3], shape: [3])).serialized()
        let reason = Self.badHeaderReason(Self.patchHeader(bytes, at: 40, to: 4))  // shape [4] but 12 raw bytes
        #expect(reason?.contains("shape") == true, "\(reason ?? "accepted")")
    }

    @Test func truncatedHeaderIsRejected() throws {
        let bytes = try ShardRecord.encode(Tensor(floats: StoreTestData.smoothFloats(24), shape: [2, 3, 4])).serialized()
        for keep in [0, 10, 43, 44, ShardRecord.headerLength(ndim: 3) - 1] {
            #expect(Self.badHeaderReason(Array(bytes[0..<keep])) != nil, "kept \(keep) bytes")
        }
    }
}
