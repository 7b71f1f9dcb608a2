/// Element types of stored tensors, named as the safetensors format names them
/// (https://github.com/huggingface/safetensors: "F32", "F64", "I64", …).
public enum DType: String, Sendable, Codable, CaseIterable {
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    case i32 = "I32"
    case i16 = "I16"
    case u8 = "U8"

    /// The one-byte code of this type in a shard record header (docs/FORMAT.md).
    public var code: UInt8 {
        switch self {
        case .f32: 0
        case .f64: 1
        case .i64: 2
        case .i32: 3
        case .i16: 4
        case .u8: 5
        }
    }

    public init?(code: UInt8) {
        guard let match = DType.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }

    /// Floating-point types, whose bytes usually compress better after a byte shuffle.
    public var isFloatingPoint: Bool { self == .f32 || self == .f64 }

    /// Size of one element in bytes.
    public var byteWidth: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .i16: 2
        case .u8: 1
        }
    }
}
