import Core
import Foundation
import Inference
import Store
import TestSupport
import Testing

/// The safetensors reader and writer against the format's specification.
@Suite struct SafetensorsTests {
    @Test func roundTripKeepsNamesDtypesShapesValuesAndMetadata() throws {
        let tensors: [String: Tensor] = [
            "spectrogram": Tensor(floats: [1, -2.5, .pi, 0, 1e-30, -0.0], shape: [2, 3]),
            "index": Tensor(int64s: [7, -1, Int64.max], shape: [3]),
            "empty": Tensor(floats: [], shape: [0, 4]),
        ]
        let data = Safetensors.encode(tensors, metadata: ["source": "a \"quoted\" path/with/slashes"])
        let back = try Safetensors.decode(data)
        #expect(back == tensors)
    }

    /// Decoded tensors share the file's buffer: their bytes are slices at the file's offsets,
    /// which another writer need not align. This header's length puts every value at an offset
    /// that is not a multiple of 4; values, finiteness scans and equality must not care.
    @Test func tensorsReadInPlaceFromUnalignedOffsets() throws {
        let values: [Float] = [1.5, -2, .pi, 1e-40, -0.0, 7]
        let header =
            #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}, "n":{"dtype":"F32","shape":[1],"data_offsets":[24,28]}}"#
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        #expect((8 + header.utf8.count) % 4 != 0)
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        withUnsafeBytes(of: Float.nan) { data.append(contentsOf: $0) }
        let back = try Safetensors.decode(data)
        let w = try #require(back["w"])
        #expect(w.bytes.startIndex == 8 + header.utf8.count)
        #expect(try w.floats().map(\.bitPattern) == values.map(\.bitPattern))
        #expect(w == Tensor(floats: values, shape: [2, 3]))
        #expect(w.firstNonFiniteIndex() == nil)
        #expect(back["n"]?.firstNonFiniteIndex() == 0)
    }

    @Test func headerIsPaddedTo8BytesAndDataFollowsInSortedNameOrder() throws {
        let data = Safetensors.encode(["b": Tensor(floats: [2], shape: [1]), "a": Tensor(floats: [1], shape: [1])])
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let header = try #require(String(data: data[8..<(8 + headerLength)], encoding: .utf8))
        #expect(header.contains("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"))
        #expect(header.contains("\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}"))
        #expect(data.count == 8 + headerLength + 8)
    }

    @Test func readsAFileWrittenByTheReferenceImplementation() throws {
        // The golden spectrogram file was written by Python's safetensors.
        let goldens = try Fixtures.spectrogramGoldens()
        let filterbank = try #require(goldens["filterbank"])
        #expect(filterbank.dtype == .f32 && filterbank.shape == [1024, 149])
        #expect(goldens["resample.stereo_44100_int16"]?.dtype == .i16)
    }

    @Test func malformedFilesAreRejectedWithTheirName() {
        let cases: [Data] = [
            Data([1, 2, 3]),  // shorter than the length field
            Data([255, 0, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8),  // header longer than the file
            Data([2, 0, 0, 0, 0, 0, 0, 0]) + Data("[]".utf8),  // header not an object
            Safetensors.encode(["x": Tensor(floats: [1, 2], shape: [2])]).dropLast(4),  // data cut short
        ]
        for data in cases {
            #expect(throws: SafetensorsError.self) { try Safetensors.decode(Data(data), source: "bad.safetensors") }
            do { _ = try Safetensors.decode(Data(data), source: "bad.safetensors") } catch {
                #expect(error.description.contains("bad.safetensors"))
            }
        }
    }

    @Test func tensorRejectsBytesThatDoNotFillItsShape() {
        #expect(throws: TensorError.self) { try Tensor(dtype: .f32, shape: [3], bytes: Data(count: 8)) }
        #expect(throws: TensorError.wrongDType(expected: .f32, actual: .i64)) {
            try Tensor(int64s: [1], shape: [1]).floats()
        }
    }
}
