/// How the 40-s analysis excerpt is chosen from a longer track. Recorded with every excerpt.
public enum ExcerptPolicy: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first 40 s.
    case start
    /// The middle 40 s (default): start = floor((N - L) / 2).
    case middle
    /// 40 s starting at a given time, clamped so the window fits in the track.
    case offset(seconds: Double)

    /// Parses `start`, `middle` or `offset=SECONDS`.
    public init?(argument: String) {
        switch argument {
        case "start": self = .start
        case "middle": self = .middle
        default:
            guard argument.hasPrefix("offset="), let s = Double(argument.dropFirst(7)), s >= 0, s.isFinite else { return nil }
            self = .offset(seconds: s)
        }
    }

    public var description: String {
        switch self {
        case .start: "start"
        case .middle: "middle"
        case let .offset(s): "offset=\(s)"
        }
    }
}

/// The analysis window of one track at the analysis sample rate.
///
/// Tracks longer than the excerpt get a deterministic window chosen by the policy. Shorter tracks
/// keep their whole signal and are marked `looped`: their spectrogram is looped to the model
/// width exactly as the reference `slice_func(padding='loop')` does, so the stored waveform is
/// the original samples, never a spliced copy.
public struct Excerpt: Sendable, Equatable, Codable {
    public let policy: ExcerptPolicy
    /// First sample of the window in the resampled track.
    public let startSample: Int
    /// Number of samples in the window (≤ the excerpt length).
    public let sampleCount: Int
    /// True when the track is shorter than the excerpt and the model input loops it.
    public let looped: Bool

    public init(policy: ExcerptPolicy, startSample: Int, sampleCount: Int, looped: Bool) {
        self.policy = policy
        self.startSample = startSample
        self.sampleCount = sampleCount
        self.looped = looped
    }

    /// Chooses the window of `length` samples from a track of `total` samples.
    public static func choose(total: Int, length: Int, sampleRate: Int, policy: ExcerptPolicy) -> Excerpt {
        guard total > length else {
            return Excerpt(policy: policy, startSample: 0, sampleCount: total, looped: total < length)
        }
        let start: Int
        switch policy {
        case .start: start = 0
        case .middle: start = (total - length) / 2
        case let .offset(seconds): start = min(Int((seconds * Double(sampleRate)).rounded(.down)), total - length)
        }
        return Excerpt(policy: policy, startSample: start, sampleCount: length, looped: false)
    }

    public var range: Range<Int> { startSample..<(startSample + sampleCount) }
}
