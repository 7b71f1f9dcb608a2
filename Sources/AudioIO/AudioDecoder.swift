import CSndfile
import Foundation

/// Decodes any file libsndfile reads (WAV, FLAC, Ogg Vorbis, Opus, MP3, AIFF, …) to float32.
/// Integer PCM is scaled by libsndfile's float normalisation (int16 v → v / 32768, as soundfile
/// and librosa decode it).
public enum AudioDecoder {
    /// File extensions that ingest treats as audio.
    public static let audioExtensions: Set<String> = [
        "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "rf64",
    ]

    /// Decodes a whole file; validates that it is non-empty and finite.
    public static func decode(path: String) throws(AudioError) -> DecodedAudio {
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw .undecodable(path: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        let channels = Int(info.channels)
        guard channels > 0, info.samplerate > 0 else {
            throw .undecodable(path: path, reason: "invalid header: \(channels) channels at \(info.samplerate) Hz")
        }

        var samples: [Float] = []
        let declared = info.frames > 0 && info.frames < Int64(Int32.max) ? Int(info.frames) : 0
        samples.reserveCapacity(declared * channels)
        let chunkFrames = 65536
        var chunk = [Float](repeating: 0, count: chunkFrames * channels)
        while true {
            let read = chunk.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, sf_count_t(chunkFrames)) }
            if read <= 0 { break }
            samples.append(contentsOf: chunk[0..<(Int(read) * channels)])
        }
        let status = sf_error(file)
        if status != 0 {
            throw .truncated(path: path, reason: String(cString: sf_error_number(status)))
        }
        let frames = samples.count / channels
        guard frames > 0 else { throw .empty(path: path) }
        if declared > 0, frames < declared, !isMPEG(info.format) {
            throw .truncated(path: path, reason: "decoded \(frames) of \(declared) frames the header declares")
        }
        if let bad = samples.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(path: path, firstIndex: bad / channels)
        }
        return DecodedAudio(
            samples: samples, channelCount: channels, sampleRate: Int(info.samplerate),
            formatName: formatName(info.format), tags: tags(of: file))
    }

    /// MP3 headers give an estimate of the frame count, not a promise.
    private static func isMPEG(_ format: Int32) -> Bool { format & Int32(SF_FORMAT_TYPEMASK) == Int32(SF_FORMAT_MPEG) }

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
