#if canImport(Glibc)
    import Glibc
#endif

/// Refuses RIFF/WAVE files whose `LIST` chunk holds a subchunk larger than the list, before
/// libsndfile opens them.
///
/// libsndfile 1.2.0 (Debian 12) never returns from `sf_open` on such a file. Its
/// `wavlike_subchunk_parse` adds the subchunk size, read as a signed 32-bit number, to its
/// position, so a size of 0xFFFFFFF7 moves it backwards for ever. Fuzzing found the 56-byte file
/// `Tests/Fixtures/fuzz/audio/crashes/hang-sf_open-wav-info-subchunk-size-0xfffffff7.wav`. This
/// check reads only chunk headers (at most 64 KiB of one `LIST` chunk) and decodes nothing. Any
/// file that is not RIFF/WAVE, or whose lists are consistent, goes on to libsndfile unchanged.
enum RIFFListCheck {
    /// The bytes of one `LIST` chunk that are examined: real INFO lists are a few hundred bytes.
    static let maxListBytes = 64 << 10
    /// Top-level chunks examined before giving up (a WAV has a handful).
    static let maxChunks = 64

    /// A reason to refuse the file, or nil when it is not a RIFF/WAVE file or its lists are sound.
    static func problem(in fd: Int32, fileSize: Int64) -> String? {
        guard let riff = read(fd, at: 0, count: 12), riff.count == 12,
            riff[0..<4].elementsEqual("RIFF".utf8) || riff[0..<4].elementsEqual("RF64".utf8),
            riff[8..<12].elementsEqual("WAVE".utf8)
        else { return nil }
        var offset: Int64 = 12
        for _ in 0..<maxChunks {
            guard offset + 8 <= fileSize, let header = read(fd, at: offset, count: 8), header.count == 8 else { return nil }
            let size = Int64(littleEndian32(header, 4))
            if header[0..<4].elementsEqual("LIST".utf8) {
                let listEnd = min(size, fileSize - offset - 8)
                let count = Int(min(listEnd, Int64(maxListBytes)))
                guard count >= 4, let list = read(fd, at: offset + 8, count: count) else { return nil }
                var position = 4  // after the list type ("INFO", "adtl")
                while position + 8 <= list.count {
                    let subSize = Int64(littleEndian32(list, position + 4))
                    let id = String(decoding: list[position..<(position + 4)], as: UTF8.self)
                    guard Int64(position) + 8 + subSize <= listEnd else {
                        return "malformed WAV: LIST subchunk '\(id)' at byte \(offset + 8 + Int64(position)) claims "
                            + "\(subSize) bytes, past the end of its \(listEnd)-byte LIST chunk"
                    }
                    position += 8 + Int(subSize) + Int(subSize & 1)
                }
            }
            // Chunks are padded to an even size; a size past the end ends the walk.
            offset += 8 + size + (size & 1)
        }
        return nil
    }

    private static func read(_ fd: Int32, at offset: Int64, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard got >= 0 else { return nil }
        return Array(bytes.prefix(got))
    }

    private static func littleEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
