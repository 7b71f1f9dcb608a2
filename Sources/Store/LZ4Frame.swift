import CLZ4

/// LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md) with the
/// content size and content checksum (XXH32) recorded in the frame, so decoding verifies itself.
public enum LZ4Frame {
    public static func compress(_ input: UnsafeRawBufferPointer) throws(StoreError) -> [UInt8] {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        prefs.frameInfo.contentSize = UInt64(input.count)
        prefs.frameInfo.blockSizeID = LZ4F_max4MB
        let bound = LZ4F_compressFrameBound(input.count, &prefs)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBytes { dst in
            LZ4F_compressFrame(dst.baseAddress, bound, input.baseAddress, input.count, &prefs)
        }
        if LZ4F_isError(written) != 0 { throw .compression(reason: String(cString: LZ4F_getErrorName(written))) }
        out.removeLast(bound - written)
        return out
    }

    /// Decodes a whole frame whose content is exactly `rawLength` bytes.
    public static func decompress(_ frame: UnsafeRawBufferPointer, rawLength: Int) -> Result<[UInt8], LZ4FrameError> {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else { return .failure(LZ4FrameError(message: "cannot create context")) }
        defer { LZ4F_freeDecompressionContext(context) }
        var out = [UInt8](repeating: 0, count: max(rawLength, 1))
        var consumed = 0
        var produced = 0
        var hint = 1
        while hint != 0 {
            var srcSize = frame.count - consumed
            var dstSize = rawLength - produced
            if srcSize == 0 { return .failure(LZ4FrameError(message: "frame ends early")) }
            hint = out.withUnsafeMutableBytes { dst in
                guard let dstBase = dst.baseAddress, let srcBase = frame.baseAddress else { return 0 }
                return LZ4F_decompress(context, dstBase + produced, &dstSize, srcBase + consumed, &srcSize, nil)
            }
            if LZ4F_isError(hint) != 0 { return .failure(LZ4FrameError(message: String(cString: LZ4F_getErrorName(hint)))) }
            consumed += srcSize
            produced += dstSize
            if srcSize == 0 && dstSize == 0 && hint != 0 { return .failure(LZ4FrameError(message: "no progress")) }
        }
        guard produced == rawLength else {
            return .failure(LZ4FrameError(message: "decoded \(produced) bytes, expected \(rawLength)"))
        }
        if rawLength == 0 { out.removeAll() }
        return .success(out)
    }
}

/// An LZ4 frame decoding failure, as LZ4F reports it.
public struct LZ4FrameError: Error, Equatable { public let message: String }
