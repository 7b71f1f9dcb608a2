import Testing

@testable import Store

/// The byte-shuffle filter: byte j of every element goes to plane j; trailing bytes that do not
/// fill an element are kept as they are; unshuffle inverts it exactly.
@Suite struct ByteShuffleTests {
    @Test func shuffleGathersByteJOfEveryElementIntoPlaneJ() {
        let input: [UInt8] = [0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x32, 0x33]
        let shuffled = input.withUnsafeBytes { ByteShuffle.shuffle($0, width: 4) }
        #expect(shuffled == [0x10, 0x20, 0x30, 0x11, 0x21, 0x31, 0x12, 0x22, 0x32, 0x13, 0x23, 0x33])
    }

    @Test func bytesPastTheLastWholeElementAreCopiedUnchanged() {
        let input: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]  // two 4-byte elements and 2 stray bytes
        let shuffled = input.withUnsafeBytes { ByteShuffle.shuffle($0, width: 4) }
        #expect(shuffled == [1, 5, 2, 6, 3, 7, 4, 8, 9, 10])
    }

    @Test(arguments: [1, 2, 4, 8])
    func unshuffleInvertsShuffleForEveryLengthIncludingNonMultiples(width: Int) {
        for length in 0..<(5 * width + 3) {
            let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) }
            let shuffled = input.withUnsafeBytes { ByteShuffle.shuffle($0, width: width) }
            #expect(shuffled.count == length)
            let restored = shuffled.withUnsafeBytes { ByteShuffle.unshuffle($0, width: width) }
            #expect(restored == input, "width \(width), length \(length)")
        }
    }

    @Test func widthOneIsTheIdentity() {
        let input: [UInt8] = [9, 8, 7, 6, 5]
        #expect(input.withUnsafeBytes { ByteShuffle.shuffle($0, width: 1) } == input)
    }

    @Test func inputShorterThanOneElementIsUnchanged() {
        let input: [UInt8] = [0xAB, 0xCD, 0xEF]
        #expect(input.withUnsafeBytes { ByteShuffle.shuffle($0, width: 8) } == input)
        #expect(input.withUnsafeBytes { ByteShuffle.unshuffle($0, width: 8) } == input)
    }
}
