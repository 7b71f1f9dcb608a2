import Testing

@testable import Store

/// LZ4 frames as the shard records use them: content size and content checksum in the frame,
/// whole-frame decoding that insists on the expected length and reports corruption.
@Suite struct LZ4FrameTests {
    static func compressed(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { raw in try LZ4Frame.compress(raw) }
    }

    static func decompressed(_ frame: [UInt8], rawLength: Int) -> Result<[UInt8], LZ4FrameError> {
        frame.withUnsafeBytes { LZ4Frame.decompress($0, rawLength: rawLength) }
    }

    static func text(_ count: Int) -> [UInt8] {
        let phrase = Array("the quick brown fox jumps over the lazy dog; ".utf8)
        return (0..<count).map { phrase[$0 % phrase.count] }
    }

    static func noise(_ count: Int) -> [UInt8] {
        var state: UInt32 = 2_463_534_242
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }

    @Test(arguments: [0, 1, 7, 100, 65_536, 300_000])
    func roundTripsCompressibleAndIncompressibleInput(count: Int) throws {
        for input in [Self.text(count), Self.noise(count)] {
            let frame = try Self.compressed(input)
            #expect(try Self.decompressed(frame, rawLength: count).get() == input, "\(count) bytes")
        }
    }

    @Test func repetitiveInputShrinks() throws {
        let input = Self.text(100_000)
        #expect(try Self.compressed(input).count < input.count / 10)
    }

    @Test func frameRecordsContentSizeAndContentChecksum() throws {
        let frame = try Self.compressed(Self.text(1000))
        #expect(Array(frame[0..<4]) == [0x04, 0x22, 0x4D, 0x18], "LZ4 frame magic 0x184D2204, little-endian")
        let flags = frame[4]
        #expect(flags & 0x08 != 0, "content size flag")
        #expect(flags & 0x04 != 0, "content checksum flag")
        let declared = (0..<8).reduce(UInt64(0)) { $0 | UInt64(frame[6 + $1]) << (8 * UInt64($1)) }
        #expect(declared == 1000)
    }

    @Test func corruptedBlockIsDetected() throws {
        let input = Self.noise(4096)
        let good = try Self.compressed(input)
        // Every byte past the frame header (7 + 8 content-size bytes) belongs to a block or the checksum.
        for position in stride(from: 15, to: good.count, by: 97) {
            var bad = good
            bad[position] ^= 0x40
            let result = Self.decompressed(bad, rawLength: input.count)
            #expect(throws: LZ4FrameError.self, "flipped byte \(position) of \(good.count)") { try result.get() }
        }
    }

    @Test func flippedContentChecksumIsDetected() throws {
        let input = Self.text(5000)
        var frame = try Self.compressed(input)
        frame[frame.count - 1] ^= 0x01
        #expect(throws: LZ4FrameError.self) { try Self.decompressed(frame, rawLength: input.count).get() }
    }

    @Test func truncatedFrameIsReported() throws {
        let input = Self.text(5000)
        let frame = try Self.compressed(input)
        for keep in [0, 3, frame.count / 2, frame.count - 1] {
            let result = Self.decompressed(Array(frame[0..<keep]), rawLength: input.count)
            #expect(throws: LZ4FrameError.self, "kept \(keep) of \(frame.count) bytes") { try result.get() }
        }
    }

    @Test func wrongExpectedLengthIsReported() throws {
        let input = Self.text(5000)
        let frame = try Self.compressed(input)
        #expect(throws: LZ4FrameError.self) { try Self.decompressed(frame, rawLength: 4999).get() }
        #expect(throws: LZ4FrameError.self) { try Self.decompressed(frame, rawLength: 5001).get() }
    }
}
