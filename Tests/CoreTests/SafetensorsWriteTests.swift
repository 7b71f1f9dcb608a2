import Foundation
import Testing

@testable import Core

/// The two ways of writing safetensors: from `Tensor`s, and one float32 tensor straight from an
/// array (what `stemtrace spectrogram` uses), which must give the same file.
@Suite struct SafetensorsWriteTests {
    @Test func floatArrayWriterGivesTheTensorWritersBytes() throws {
        let directory = try scratchDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let values: [Float] = (0..<(3 * 7)).map { Float($0) * 0.25 - 1 }
        let metadata = ["layout": "bands x frames", "source": "a \"quoted\" name"]
        let a = directory.appendingPathComponent("a.safetensors")
        let b = directory.appendingPathComponent("b.safetensors")
        try Safetensors.write(["spectrogram": Tensor(floats: values, shape: [3, 7])], metadata: metadata, to: a)
        try Safetensors.write(floats: values, shape: [3, 7], name: "spectrogram", metadata: metadata, to: b)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let read = try Safetensors.read(contentsOf: b)
        #expect(try read["spectrogram"]?.floats() == values)
        // Nothing but the two files is left behind (the temporary files were renamed into place).
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["a.safetensors", "b.safetensors"])
    }

    @Test func aFailedWriteLeavesNoFile() throws {
        let directory = try scratchDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("no-such-folder/x.safetensors")
        #expect(throws: SafetensorsError.self) {
            try Safetensors.write(floats: [1, 2], shape: [2], name: "x", to: missing)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func theAllocatorTakesTheSettings() {
        #if canImport(Glibc)
            #expect(AllocatorPolicy.retainFreedBlocks())
        #endif
    }
}
