import Foundation

/// Float32 values that can be lent as a contiguous buffer: a `[Float]`, or `FloatBytes` (a
/// tensor's bytes where they lie in a model file's buffer).
protocol FloatValues: Sendable {
    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R
}

extension Array: FloatValues where Element == Float {
    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R { withUnsafeBufferPointer(body) }
}

/// A float32 tensor's little-endian bytes, kept where they lie in the model file's buffer instead
/// of copied into an array (spleeter's 78 MB: the copies took about 40 ms of a load, most of it
/// page faults). Bytes that do not start on a multiple of 4 (a tensor a hostile file places at an
/// odd offset, or small data that `Data` keeps inline) are lent through an aligned copy.
struct FloatBytes: FloatValues {
    let bytes: Data

    init(_ bytes: Data) { self.bytes = bytes }

    var count: Int { bytes.count / MemoryLayout<Float>.stride }

    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        bytes.withUnsafeBytes { raw in
            let whole = UnsafeRawBufferPointer(rebasing: raw[0..<(count * MemoryLayout<Float>.stride)])
            if let base = whole.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment != 0 {
                let copy = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    initialized = whole.copyBytes(to: buffer) / MemoryLayout<Float>.stride
                }
                return copy.withUnsafeBufferPointer(body)
            }
            return whole.withMemoryRebound(to: Float.self, body)
        }
    }
}
