import Foundation

/// Float32 values that can be lent as a contiguous buffer: a `[Float]`, or `FloatBytes` (a
/// tensor's bytes where they lie in a model file's buffer).
protocol FloatValues: Sendable {
    var count: Int { get }
    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R
}

extension Array: FloatValues where Element == Float {
    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R { withUnsafeBufferPointer(body) }
}

/// A float32 tensor's little-endian bytes, kept where they lie in the model file's buffer instead
/// of copied into an array (spleeter's 78 MB: the copies took about 40 ms of a load, most of it
/// page faults). A tensor that a hostile file places at an offset that is not a multiple of 4 is
/// copied once into fresh storage, which is aligned.
struct FloatBytes: FloatValues {
    let bytes: Data

    init(_ bytes: Data) {
        let aligned = bytes.withUnsafeBytes { Self.isAligned($0) }
        if aligned {
            self.bytes = bytes
        } else {
            var copy = Data(count: bytes.count)
            copy.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
            self.bytes = copy
        }
    }

    var count: Int { bytes.count / MemoryLayout<Float>.stride }

    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        bytes.withUnsafeBytes { raw in
            let whole = UnsafeRawBufferPointer(rebasing: raw[0..<(count * MemoryLayout<Float>.stride)])
            if Self.isAligned(whole) { return whole.withMemoryRebound(to: Float.self, body) }
            // Small data can live inline in `Data`, where nothing promises alignment.
            let copy = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = whole.copyBytes(to: buffer) / MemoryLayout<Float>.stride
            }
            return copy.withUnsafeBufferPointer(body)
        }
    }

    private static func isAligned(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return true }
        return Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0
    }
}
