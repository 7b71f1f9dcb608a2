import AudioIO
import Foundation

/// Fuzz target for the audio decoder's front door: `AudioDecoder.decode(path:limits:)` on the input
/// written to a temporary file. libsndfile is a system library without coverage instrumentation, so
/// the fuzzer is guided only by the Swift code around it; the seeds carry the formats.
public enum AudioDecoderFuzzTarget {
    /// Smaller than `DecodeLimits.standard`, so that one input decodes at most 60 s × 48 kHz × 2
    /// channels (23 MB of samples) and a fuzz run is never stopped by a tiny FLAC that legitimately
    /// expands to gigabytes under the standard limits (docs/RELIABILITY.md, "Limits").
    public static let limits: DecodeLimits = {
        var limits = DecodeLimits(maxDuration: 60)
        limits.maxSampleRate = 48_000
        limits.maxChannels = 2
        return limits
    }()

    /// The name the input is written under. libsndfile recognises WAV, FLAC, Ogg, AIFF, AU, … by
    /// their bytes whatever the name; bytes it does not recognise are handed to its MP3 decoder
    /// only when the name ends in .mp3, as ingest does for such files, so this reaches the most code.
    public static let fileExtension = "mp3"

    public static func run(_ data: Data) {
        _ = try? decode(data)
    }

    /// The input decoded as ingest decodes a file, under `limits`.
    public static func decode(_ data: Data) throws(AudioError) -> DecodedAudio {
        try ScratchFile.with(data, extension: fileExtension) { url in
            Result { () throws(AudioError) in try AudioDecoder.decode(path: url.path, limits: limits) }
        }.get()
    }
}
