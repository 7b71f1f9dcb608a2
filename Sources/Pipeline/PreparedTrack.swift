import AudioIO
import Core
import DSP
import Foundation
import Store

/// A decoded track reduced to what every later step needs: its content id, the facts about the
/// original file, and the mono signal at the analysis rate.
public struct PreparedTrack: Sendable {
    public var path: String
    public var contentHash: String
    public var formatName: String
    public var originalSampleRate: Int
    public var channelCount: Int
    public var frameCount: Int
    public var tags: [String: String]
    /// Mono (channel mean) at the analysis rate (soxr HQ).
    public var mono: [Float]

    public var duration: Double { Double(frameCount) / Double(originalSampleRate) }

    /// Decodes, validates, hashes, down-mixes and resamples one file.
    public static func load(path: String, sampleRate: Int) throws(AudioError) -> PreparedTrack {
        let decoded = try AudioDecoder.decode(path: path)
        return try prepare(decoded, contentHash: contentHash(of: decoded), path: path, sampleRate: sampleRate)
    }

    /// Validates, down-mixes and resamples audio already decoded and hashed, so a caller can
    /// decide by the content hash whether it wants the track before paying for the rest.
    public static func prepare(
        _ decoded: DecodedAudio, contentHash: String, path: String, sampleRate: Int
    ) throws(AudioError) -> PreparedTrack {
        guard decoded.samples.contains(where: { $0 != 0 }) else { throw .silent(path: path) }
        let mono = try Resampler(quality: .high).resample(
            decoded.downmixed(), from: decoded.sampleRate, to: sampleRate, path: path)
        guard !mono.isEmpty else { throw .empty(path: path) }
        return PreparedTrack(
            path: path, contentHash: contentHash, formatName: decoded.formatName,
            originalSampleRate: decoded.sampleRate, channelCount: decoded.channelCount,
            frameCount: decoded.frameCount, tags: decoded.tags, mono: mono)
    }

    /// XXH3-128 of the decoded interleaved float32 samples, the channel count and the sample rate:
    /// the same audio in two files (or re-encoded losslessly) is one track.
    public static func contentHash(of audio: DecodedAudio) -> String {
        var hasher = ContentHash.Hasher()
        hasher.update(Int64(audio.channelCount))
        hasher.update(Int64(audio.sampleRate))
        hasher.update(audio.samples)
        return hasher.finalize()
    }
}
