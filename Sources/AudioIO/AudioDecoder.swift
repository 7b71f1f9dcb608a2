import CSndfile
import CVectorMath
import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Decodes any file libsndfile reads (WAV, FLAC, Ogg Vorbis, Opus, MP3, AIFF, …) to float32.
/// Integer PCM is scaled by libsndfile's float normalisation (int16 v → v / 32768, as soundfile
/// and librosa decode it).
///
/// Every file is treated as hostile: what it is (regular file, FIFO, directory, …) is checked
/// before libsndfile opens it, the header's rate, channels and length are checked against
/// `DecodeLimits` before any sample buffer is sized, and reading stops as soon as the limits are
/// passed, so a lying header cannot make it allocate more either.
public enum AudioDecoder {
    /// File extensions that ingest treats as audio.
    public static let audioExtensions: Set<String> = [
        "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "rf64",
    ]

    /// The most frames an Ogg file may decode short of the length its header estimates and still
    /// be accepted (with a warning): one Vorbis long block (8 192 samples; an Opus frame is at
    /// most 5 760). libsndfile estimates an Ogg file's length from granule positions, which some
    /// encoders leave a few hundred samples past the decodable end; soundfile decodes the same
    /// frames. A larger shortfall is real truncation.
    public static let oggShortfallTolerance = 8192

    /// Decodes a whole file given as a Swift string path.
    public static func decode(path: String, limits: DecodeLimits = .standard) throws(AudioError) -> DecodedAudio {
        try decode(FileSystemPath(path), limits: limits)
    }

    /// Decodes a whole file; validates what it is, its header against `limits`, that it is
    /// non-empty and that every sample is finite. Errors name the file by `file.text`.
    public static func decode(_ file: FileSystemPath, limits: DecodeLimits = .standard) throws(AudioError) -> DecodedAudio {
        let path = file.text
        let status = try FileKind.regularFileStatus(file)
        let fileSize = Int64(status.st_size)
        guard fileSize > 0 else { throw .empty(path: path) }
        let fd = file.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .undecodable(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        let listProblem = RIFFListCheck.problem(in: fd, fileSize: fileSize)
        close(fd)
        if let listProblem { throw .undecodable(path: path, reason: listProblem) }

        var info = SF_INFO()
        guard let handle = file.withCString({ sf_open($0, Int32(SFM_READ), &info) }) else {
            throw .undecodable(path: path, reason: unrecognised(fileSize: fileSize, message: String(cString: sf_strerror(nil))))
        }
        defer { sf_close(handle) }
        let channels = Int(info.channels)
        let rate = Int(info.samplerate)
        guard channels > 0, rate > 0 else {
            throw .undecodable(path: path, reason: "invalid header: \(channels) channels at \(rate) Hz")
        }
        guard rate >= limits.minSampleRate, rate <= limits.maxSampleRate else {
            throw .outOfLimits(
                path: path,
                reason: "the header declares \(rate) Hz; accepted rates are \(limits.minSampleRate)–\(limits.maxSampleRate) Hz")
        }
        guard channels <= limits.maxChannels else {
            throw .outOfLimits(
                path: path, reason: "the header declares \(channels) channels; at most \(limits.maxChannels) are accepted")
        }
        let maxFrames = limits.maxFrames(sampleRate: rate)
        // SF_COUNT_MAX means "unknown length" (a stream); anything else is the header's claim.
        let known = info.frames > 0 && info.frames < Int64.max
        if known, info.frames > maxFrames {
            throw .tooLong(path: path, seconds: Double(info.frames) / Double(rate), limit: limits.maxDuration)
        }
        let declared = known ? Int(info.frames) : 0

        // Never trust the header for the allocation: at most what the file's own size suggests.
        let capacityFrames = min(declared, Int(min(fileSize, Int64(Int32.max))) / channels)
        var frames: Int64 = 0
        var atEnd = false
        // The header's frames are read straight into the result (one copy, no chunk), which is
        // most of the decoding time of an uncompressed file; anything past them goes by chunks.
        var samples = [Float](unsafeUninitializedCapacity: capacityFrames * channels) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
            while Int(frames) < capacityFrames {
                let want = min(capacityFrames - Int(frames), 1 << 20)
                let read = sf_readf_float(handle, base + Int(frames) * channels, sf_count_t(want))
                if read <= 0 {
                    atEnd = true
                    break
                }
                frames += Int64(read)
            }
            count = Int(frames) * channels
        }
        let chunkFrames = 65536
        var chunk = [Float](repeating: 0, count: atEnd ? 0 : chunkFrames * channels)
        while !atEnd {
            let read = chunk.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(chunkFrames)) }
            if read <= 0 { break }
            frames += Int64(read)
            if frames > maxFrames {
                throw .tooLong(
                    path: path, seconds: max(Double(frames), Double(declared)) / Double(rate), limit: limits.maxDuration)
            }
            samples.append(contentsOf: chunk[0..<(Int(read) * channels)])
        }
        let errorCode = sf_error(handle)
        if errorCode != 0 {
            throw .truncated(path: path, reason: String(cString: sf_error_number(errorCode)))
        }
        let decoded = Int(frames)
        guard decoded > 0 else { throw .empty(path: path) }
        var warnings: [String] = []
        if declared > 0, decoded < declared, !isMPEG(info.format) {
            let shortfall = declared - decoded
            if isOgg(info.format), shortfall <= oggShortfallTolerance {
                warnings.append(
                    "decoded \(decoded) of the \(declared) frames the Ogg header estimates (\(shortfall) short, "
                        + "within the \(oggShortfallTolerance)-frame tolerance); kept the \(decoded) decoded frames")
            } else if samples.allSatisfy({ $0 == 0 }) {
                throw .silent(path: path)
            } else {
                throw .truncated(path: path, reason: "decoded \(decoded) of \(declared) frames the header declares")
            }
        }
        let bad = samples.withUnsafeBufferPointer { stemtrace_first_non_finite($0.baseAddress, $0.count) }
        if bad < samples.count {
            throw .nonFinite(path: path, firstIndex: bad / channels)
        }
        return DecodedAudio(
            samples: samples, channelCount: channels, sampleRate: rate, formatName: formatName(info.format),
            tags: tags(of: handle), warnings: warnings)
    }

    /// Why libsndfile could not open a regular, non-empty file. Its message for an unrecognised
    /// MPEG stream ("File does not exist or is not a regular file (possibly a pipe?)") is wrong
    /// for a file just checked to exist and be regular, so it is replaced.
    static func unrecognised(fileSize: Int64, message: String) -> String {
        let misleading = message.contains("does not exist") || message.contains("not a regular file")
        return "not an audio format libsndfile recognises (a regular file of \(fileSize) bytes"
            + (misleading ? ")" : "; libsndfile: \(message))")
    }

    /// MP3 headers give an estimate of the frame count, not a promise.
    private static func isMPEG(_ format: Int32) -> Bool { format & Int32(SF_FORMAT_TYPEMASK) == Int32(SF_FORMAT_MPEG) }

    private static func isOgg(_ format: Int32) -> Bool { format & Int32(SF_FORMAT_TYPEMASK) == Int32(SF_FORMAT_OGG) }

    private static func formatName(_ format: Int32) -> String {
        var info = SF_FORMAT_INFO()
        info.format = format & Int32(SF_FORMAT_TYPEMASK)
        guard sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
            let name = info.name
        else { return "unknown" }
        return String(cString: name)
    }

    private static let tagKinds: [(Int32, String)] = [
        (Int32(SF_STR_TITLE), "title"), (Int32(SF_STR_ARTIST), "artist"), (Int32(SF_STR_ALBUM), "album"),
        (Int32(SF_STR_GENRE), "genre"), (Int32(SF_STR_DATE), "date"), (Int32(SF_STR_COMMENT), "comment"),
        (Int32(SF_STR_TRACKNUMBER), "tracknumber"), (Int32(SF_STR_COPYRIGHT), "copyright"),
    ]

    private static func tags(of file: OpaquePointer) -> [String: String] {
        var tags: [String: String] = [:]
        for (kind, name) in tagKinds {
            if let raw = sf_get_string(file, kind) {
                let value = String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
                if !value.isEmpty { tags[name] = value }
            }
        }
        return tags
    }
}
