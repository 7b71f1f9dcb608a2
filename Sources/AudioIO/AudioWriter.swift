import CSndfile

/// Writes float32 samples with libsndfile (used for stems, exports and generated test corpora).
public enum AudioWriter {
    /// Container and sample encoding of a written file.
    public enum Format: Sendable {
        case wavFloat, wav16, flac16, oggVorbis

        var sndfileFormat: Int32 {
            switch self {
            case .wavFloat: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)
            case .wav16: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
            case .flac16: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
            case .oggVorbis: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
            }
        }
    }

    /// Writes interleaved samples; `tags` sets libsndfile strings such as title, artist, genre.
    public static func write(
        _ samples: [Float], channels: Int, sampleRate: Int, format: Format, to path: String,
        tags: [String: String] = [:]
    ) throws(AudioError) {
        var info = SF_INFO()
        info.channels = Int32(channels)
        info.samplerate = Int32(sampleRate)
        info.format = format.sndfileFormat
        guard let file = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw .unwritable(path: path, reason: String(cString: sf_strerror(nil)))
        }
        let kinds: [String: Int32] = [
            "title": Int32(SF_STR_TITLE), "artist": Int32(SF_STR_ARTIST), "album": Int32(SF_STR_ALBUM),
            "genre": Int32(SF_STR_GENRE), "date": Int32(SF_STR_DATE), "comment": Int32(SF_STR_COMMENT),
        ]
        for (key, value) in tags { if let kind = kinds[key] { sf_set_string(file, kind, value) } }
        let frames = samples.count / max(channels, 1)
        let written = samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t(frames)) }
        let closed = sf_close(file)
        guard written == frames, closed == 0 else {
            throw .unwritable(path: path, reason: "wrote \(written) of \(frames) frames")
        }
    }
}
