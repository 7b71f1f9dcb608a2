import Core
import Foundation
import Inference
import Models
import Store
import TestSupport
import Testing

/// Model files are input like any other: forged sizes raise (never trap), and NaN or ±Inf
/// weights are refused at load.
@Suite struct HostileModelFileTests {
    /// A file with the given JSON header and `dataBytes` zero bytes of data.
    static func file(header: String, dataBytes: Int = 16) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(header.utf8))
        out.append(Data(count: dataBytes))
        return out
    }

    static let hostileHeaders: [(String, String)] = [
        // Element count × width overflows Int (trapped in Tensor.init before).
        (#"{"x":{"dtype":"F32","shape":[9223372036854775807],"data_offsets":[0,4]}}"#, "too large"),
        (#"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, "too large"),
        (#"{"x":{"dtype":"F64","shape":[1152921504606846976],"data_offsets":[0,8]}}"#, "too large"),
        // dataStart + end overflowed (trapped in Safetensors.decode before).
        (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,9223372036854775807]}}"#, "outside"),
        (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775807,9223372036854775807]}}"#, "outside"),
        (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, "outside"),
        (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, "outside"),
        (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#, "outside"),
        (#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, "needs 8"),
        (#"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "negative"),
        (#"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, "integers"),
        (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}}"#, "integers"),
        (#"{"x":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}}"#, "integers"),
        (
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            "overlap"
        ),
        (#"{"__metadata__":{"n":1},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, "__metadata__"),
    ]

    @Test(arguments: hostileHeaders)
    func forgedHeadersRaiseNamingTheFileAndTheProblem(header: String, expected: String) {
        let data = Self.file(header: header)
        do {
            _ = try Safetensors.decode(data, source: "forged.safetensors")
            Issue.record("decoded without error: \(header)")
        } catch {
            #expect(error.description.contains("forged.safetensors"), "\(error)")
            #expect(error.description.contains(expected), "\(error)")
        }
        #expect(throws: SafetensorsError.self) { try Safetensors.metadata(data, source: "forged.safetensors") }
    }

    @Test func modelInfoOnAForgedFileExitsWithTheReasonInsteadOfATrap() throws {
        let url = try Fixtures.temporaryDirectory("forged").appendingPathComponent("forged.safetensors")
        try Self.file(header: Self.hostileHeaders[1].0).write(to: url)
        let run = try BuiltTool.run(["model", "info", url.path])
        #expect(run.status == 1, "a clean error exit, not a signal: \(run.output)")
        #expect(run.output.contains("forged.safetensors") && run.output.contains("too large"), "\(run.output)")
    }

    @Test func aHeaderLengthPastTheFileOrTheLimitIsRefused() {
        var huge = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        huge.append(Data("{}".utf8))
        #expect(throws: SafetensorsError.self) { try Safetensors.decode(huge) }
        #expect(throws: SafetensorsError.self) { try Safetensors.metadata(huge) }
    }

    @Test func tensorShapesThatOverflowAreInvalidNotATrap() {
        #expect(throws: TensorError.invalidShape(shape: [Int.max, 2])) {
            try Tensor(dtype: .f32, shape: [Int.max, 2], bytes: Data())
        }
        #expect(throws: TensorError.invalidShape(shape: [1 << 62])) { try Tensor(dtype: .f32, shape: [1 << 62], bytes: Data()) }
        #expect(throws: TensorError.invalidShape(shape: [-2, -2])) {
            try Tensor(dtype: .u8, shape: [-2, -2], bytes: Data(count: 4))
        }
        #expect(Tensor.byteCount(shape: [4_294_967_296, 4_294_967_296], dtype: .f32) == nil)
        #expect(Tensor.byteCount(shape: [3, 5], dtype: .f64) == 120)
    }

    /// The reference RF-ResNet weights with one value of one tensor replaced.
    static func weights(replacing name: String, at index: Int = 0, with value: Float, in directory: URL) throws -> URL {
        var tensors = try Safetensors.read(contentsOf: Fixtures.url("rfresnet/weights.safetensors"))
        let tensor = try #require(tensors[name])
        var values = try tensor.floats()
        values[index] = value
        tensors[name] = Tensor(floats: values, shape: tensor.shape)
        let url = directory.appendingPathComponent("weights-\(UUID().uuidString).safetensors")
        try Safetensors.write(tensors, to: url)
        return url
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteWeightsAreRefusedAtLoadNamingTheTensor(value: Float) throws {
        let url = try Self.weights(
            replacing: "feed_forward.weight", at: 3, with: value, in: try Fixtures.temporaryDirectory("weights"))
        #expect(throws: ModelError.nonFiniteWeight(path: url.path, tensor: "feed_forward.weight", index: 3)) {
            _ = try LoadedModel(contentsOf: url)
        }
        // Built from tensors directly (no file), the network refuses them too.
        let tensors = try Safetensors.read(contentsOf: url)
        #expect(throws: ModelError.self) { _ = try RFResNet(weights: tensors) }
    }

    @Test func hugeFiniteWeightsLoad() throws {
        // ±3e38 is finite: it is caught by the outputs it produces (see InferHostileInputTests).
        let url = try Self.weights(
            replacing: "feed_forward.weight", at: 0, with: 3e38, in: try Fixtures.temporaryDirectory("weights"))
        #expect(try LoadedModel(contentsOf: url).kind == .rfresnet)
    }
}
