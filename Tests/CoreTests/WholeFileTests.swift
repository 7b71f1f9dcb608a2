import Foundation
import Testing

@testable import Core

/// `WholeFile.read` (how model weights are read) and the huge-page helpers it uses: the bytes are
/// the file's, and a file that is not a regular file, too large or missing is refused with its
/// path and the reason, before anything is allocated.
@Suite struct WholeFileTests {
    @Test(arguments: [0, 1, 4095, 5 << 20])
    func readsEveryByte(count: Int) throws {
        let directory = try scratchDirectory("wholefile")
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SplitMix64(seed: UInt64(count))
        let bytes = Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        let url = directory.appendingPathComponent("f.bin")
        try bytes.write(to: url)
        let read = try WholeFile.read(url)
        #expect(read.count == count)
        #expect(read == bytes)
    }

    @Test func refusesWhatIsNotARegularFileTooLargeOrMissing() throws {
        let directory = try scratchDirectory("wholefile")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: WholeFile.ReadError(path: directory.path, reason: "not a regular file")) {
            try WholeFile.read(directory)
        }
        let url = directory.appendingPathComponent("f.bin")
        try Data(count: 1000).write(to: url)
        #expect(throws: WholeFile.ReadError(path: url.path, reason: "1000 bytes, more than the 999 allowed")) {
            try WholeFile.read(url, maximumBytes: 999)
        }
        #expect(try WholeFile.read(url, maximumBytes: 1000).count == 1000)
        let missing = directory.appendingPathComponent("none.bin")
        do {
            _ = try WholeFile.read(missing)
            Issue.record("a missing file was read")
        } catch {
            #expect(error.path == missing.path)
            #expect(error.isMissing)
            #expect(error.description.contains("No such file"))
        }
    }

    @Test func largeAllocationsStartOnAHugePageAndZeroedFloatsAreZero() {
        let large = HugePages.allocate(byteCount: HugePages.minimumBytes, alignment: 64)
        defer { large.deallocate() }
        #expect(UInt(bitPattern: large) % UInt(HugePages.hugePageBytes) == 0)
        let small = HugePages.allocate(byteCount: 4096, alignment: 64)
        defer { small.deallocate() }
        #expect(UInt(bitPattern: small) % 64 == 0)
        let zeros = HugePages.zeroedFloats(count: (HugePages.minimumBytes / 4) + 3)
        #expect(zeros.count == HugePages.minimumBytes / 4 + 3)
        #expect(zeros.allSatisfy { $0 == 0 && $0.sign == .plus })
        #expect(HugePages.zeroedFloats(count: 0).isEmpty)
    }
}
