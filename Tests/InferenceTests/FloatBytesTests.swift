import Foundation
import Testing

@testable import Inference

/// `FloatBytes` lends a tensor's bytes as floats without copying them, and copies a tensor that
/// a hostile file places at an offset that is not a multiple of 4.
@Suite struct FloatBytesTests {
    static let values: [Float] = (0..<64).map { Float($0) * 0.25 - 3 }

    static func bytes(at offset: Int) -> Data {
        var file = Data(repeating: 0xAB, count: offset)
        Self.values.withUnsafeBytes { file.append(contentsOf: $0) }
        file.append(contentsOf: [1, 2, 3])
        return file.subdata(in: 0..<file.count)[offset..<(offset + 4 * Self.values.count)]
    }

    @Test(arguments: [0, 1, 2, 3, 8])
    func lendsTheValuesAtAnyOffset(offset: Int) {
        let slice = Self.bytes(at: offset)
        let floats = FloatBytes(slice)
        #expect(floats.count == Self.values.count)
        let seen = floats.withFloats { Array($0) }
        #expect(seen == Self.values)
        let aligned = floats.withFloats { Int(bitPattern: $0.baseAddress) % MemoryLayout<Float>.alignment == 0 }
        #expect(aligned)
    }

    @Test func anAlignedSliceIsNotCopied() {
        let slice = Self.bytes(at: 8)
        let floats = FloatBytes(slice)
        let original = slice.withUnsafeBytes { $0.baseAddress }
        let lent = floats.withFloats { UnsafeRawPointer($0.baseAddress) }
        #expect(original == lent)
    }
}
