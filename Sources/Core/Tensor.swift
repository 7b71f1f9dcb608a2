import Foundation

/// A dense, row-major tensor held as little-endian bytes with its element type and shape.
///
/// ```swift
/// let t = Tensor(floats: spectrogram, shape: [149, 1252])
/// let values: [Float] = try t.floats()
/// ```
public struct Tensor: Sendable, Equatable {
    public let dtype: DType
    public let shape: [Int]
    /// The little-endian element bytes; may be a slice of a larger buffer (a whole safetensors
    /// file), so its indices need not start at 0 nor its storage be aligned.
    public let bytes: Data

    /// Creates a tensor; throws when a dimension is negative, the element count or byte size
    /// overflows, or the byte count does not match dtype × shape. Shapes come from files, so the
    /// arithmetic is checked (`Tensor.byteCount`), never trusted.
    public init(dtype: DType, shape: [Int], bytes: Data) throws(TensorError) {
        guard let expected = Self.byteCount(shape: shape, dtype: dtype) else { throw .invalidShape(shape: shape) }
        guard expected == bytes.count else {
            throw .sizeMismatch(expectedBytes: expected, actualBytes: bytes.count, shape: shape)
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public init(floats: [Float], shape: [Int]) {
        precondition(Self.elementCount(shape) == floats.count, "shape \(shape) does not hold \(floats.count) values")
        self.dtype = .f32
        self.shape = shape
        self.bytes = floats.withUnsafeBytes { Data($0) }
    }

    public init(int64s: [Int64], shape: [Int]) {
        precondition(Self.elementCount(shape) == int64s.count, "shape \(shape) does not hold \(int64s.count) values")
        self.dtype = .i64
        self.shape = shape
        self.bytes = int64s.withUnsafeBytes { Data($0) }
    }

    /// The number of elements of `shape`, or nil when a dimension is negative or the product
    /// overflows `Int`.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// The bytes of a `shape` tensor of `dtype`, or nil when it is not representable.
    public static func byteCount(shape: [Int], dtype: DType) -> Int? {
        guard let count = elementCount(shape) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteWidth)
        return overflow ? nil : bytes
    }

    /// Number of elements (always representable: checked when the tensor was made).
    public var count: Int { bytes.count / dtype.byteWidth }

    public func floats() throws(TensorError) -> [Float] { try values(of: .f32) }
    public func doubles() throws(TensorError) -> [Double] { try values(of: .f64) }
    public func int64s() throws(TensorError) -> [Int64] { try values(of: .i64) }

    /// The index of the first NaN or ±Inf element of a floating-point tensor (nil when every
    /// element is finite, or the tensor holds integers).
    public func firstNonFiniteIndex() -> Int? {
        switch dtype {
        case .f32:
            return bytes.withUnsafeBytes { raw in
                let n = raw.count / 4
                for i in 0..<n where !raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self).isFinite { return i }
                return nil
            }
        case .f64:
            return bytes.withUnsafeBytes { raw in
                let n = raw.count / 8
                for i in 0..<n where !raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self).isFinite { return i }
                return nil
            }
        case .i64, .i32, .i16, .u8:
            return nil
        }
    }

    private func values<T>(of expected: DType) throws(TensorError) -> [T] {
        guard dtype == expected else { throw .wrongDType(expected: expected, actual: dtype) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = bytes.copyBytes(to: buffer)
            initialized = count
        }
    }
}

/// Errors raised when tensor bytes, shapes or types do not agree.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case sizeMismatch(expectedBytes: Int, actualBytes: Int, shape: [Int])
    case wrongDType(expected: DType, actual: DType)
    /// A negative dimension, or an element count or byte size too large to represent.
    case invalidShape(shape: [Int])

    public var description: String {
        switch self {
        case let .sizeMismatch(expected, actual, shape):
            "tensor of shape \(shape) needs \(expected) bytes but has \(actual)"
        case let .wrongDType(expected, actual):
            "tensor holds \(actual.rawValue), not \(expected.rawValue)"
        case let .invalidShape(shape):
            "shape \(shape) has a negative dimension or more elements than can be stored"
        }
    }
}
