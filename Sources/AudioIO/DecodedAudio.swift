/// Audio as decoded from a file: interleaved float32 frames at the file's own rate.
public struct DecodedAudio: Sendable {
    /// Interleaved samples, `frameCount × channelCount`, nominally in [-1, 1] (codecs may overshoot).
    public var samples: [Float]
    public var channelCount: Int
    public var sampleRate: Int
    /// libsndfile's major format name, e.g. "OGG (OGG Container format)".
    public var formatName: String
    /// Tag strings libsndfile exposes (title, artist, album, genre, date, comment, tracknumber).
    public var tags: [String: String]
    /// What was accepted despite an irregularity (an Ogg length estimate a few frames long), for
    /// the run's log and the catalog's `run_warnings`.
    public var warnings: [String]

    public init(
        samples: [Float], channelCount: Int, sampleRate: Int, formatName: String = "", tags: [String: String] = [:],
        warnings: [String] = []
    ) {
        self.warnings = warnings
        self.samples = samples
        self.channelCount = channelCount
        self.sampleRate = sampleRate
        self.formatName = formatName
        self.tags = tags
    }

    public var frameCount: Int { channelCount == 0 ? 0 : samples.count / channelCount }
    public var duration: Double { Double(frameCount) / Double(sampleRate) }

    /// Each channel's samples on their own (the interleaved frames split).
    public func channels() -> [[Float]] {
        (0..<channelCount).map { c in stride(from: c, to: samples.count, by: channelCount).map { samples[$0] } }
    }

    /// Interleaved frames from equally long channels: the inverse of `channels()`.
    public static func interleaved(_ channels: [[Float]]) -> [Float] {
        let n = channels.first?.count ?? 0
        var out = [Float](repeating: 0, count: n * channels.count)
        for (c, channel) in channels.enumerated() {
            for k in 0..<min(n, channel.count) { out[k * channels.count + c] = channel[k] }
        }
        return out
    }

    /// Mono by the channel mean, as librosa's `to_mono` (np.mean over channels in float32):
    /// the float32 sum of the channels divided by the channel count.
    public func downmixed() -> [Float] {
        let c = channelCount
        guard c > 1 else { return samples }
        let n = frameCount
        let scale = Float(c)
        return [Float](unsafeUninitializedCapacity: n) { out, count in
            samples.withUnsafeBufferPointer { s in
                for i in 0..<n {
                    var acc: Float = 0
                    for ch in 0..<c { acc += s[i * c + ch] }
                    out[i] = acc / scale
                }
            }
            count = n
        }
    }
}
