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
    public let bytes: Data

    /// Creates a tensor; throws when the byte count does not match dtype × shape.
    public init(dtype: DType, shape: [Int], bytes: Data) throws(TensorError) {
        let expected = shape.reduce(1, *) * dtype.byteWidth
        guard shape.allSatisfy({ $0 >= 0 }), expected == bytes.count else {
            throw .sizeMismatch(expectedBytes: expected, actualBytes: bytes.count, shape: shape)
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public init(floats: [Float], shape: [Int]) {
        precondition(shape.reduce(1, *) == floats.count, "shape \(shape) does not hold \(floats.count) values")
        self.dtype = .f32
        self.shape = shape
        self.bytes = floats.withUnsafeBytes { Data($0) }
    }

    public init(int64s: [Int64], shape: [Int]) {
        precondition(shape.reduce(1, *) == int64s.count, "shape \(shape) does not hold \(int64s.count) values")
        self.dtype = .i64
        self.shape = shape
        self.bytes = int64s.withUnsafeBytes { Data($0) }
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    public func floats() throws(TensorError) -> [Float] { try values(of: .f32) }
    public func doubles() throws(TensorError) -> [Double] { try values(of: .f64) }
    public func int64s() throws(TensorError) -> [Int64] { try values(of: .i64) }

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

    public var description: String {
        switch self {
        case let .sizeMismatch(expected, actual, shape):
            "tensor of shape \(shape) needs \(expected) bytes but has \(actual)"
        case let .wrongDType(expected, actual):
            "tensor holds \(actual.rawValue), not \(expected.rawValue)"
        }
    }
}
