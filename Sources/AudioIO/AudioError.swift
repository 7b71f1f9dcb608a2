/// Why an audio file could not be turned into samples. Every case names the file (its
/// `FileSystemPath.text`, which is the path itself for every valid UTF-8 path).
public enum AudioError: Error, Equatable, CustomStringConvertible {
    /// libsndfile could not open the file (unreadable, unsupported or not audio).
    case undecodable(path: String, reason: String)
    /// The path is not a regular file (a FIFO, socket, device or directory): never opened, since
    /// reading a FIFO can block for ever.
    case notARegularFile(path: String, kind: String)
    /// Decoding stopped early or failed part-way.
    case truncated(path: String, reason: String)
    /// The file holds no samples.
    case empty(path: String)
    /// Decoded samples include NaN or ±Inf.
    case nonFinite(path: String, firstIndex: Int)
    /// Every decoded sample is exactly zero.
    case silent(path: String)
    /// The header declares a sample rate or channel count outside `DecodeLimits`.
    case outOfLimits(path: String, reason: String)
    /// The audio is longer than `DecodeLimits.maxDuration`.
    case tooLong(path: String, seconds: Double, limit: Double)
    /// The resampler failed.
    case resampling(path: String, reason: String)
    /// Writing an audio file failed.
    case unwritable(path: String, reason: String)

    public var path: String {
        switch self {
        case let .undecodable(p, _), let .notARegularFile(p, _), let .truncated(p, _), let .empty(p), let .nonFinite(p, _),
            let .silent(p), let .outOfLimits(p, _), let .tooLong(p, _, _), let .resampling(p, _), let .unwritable(p, _):
            p
        }
    }

    /// A short reason without the path, for summaries.
    public var reason: String {
        switch self {
        case let .undecodable(_, r): "undecodable: \(r)"
        case let .notARegularFile(_, k): "not a regular file: \(k)"
        case let .truncated(_, r): "truncated: \(r)"
        case .empty: "empty: the file holds no audio samples"
        case let .nonFinite(_, i): "non-finite sample (NaN or Inf) at index \(i)"
        case .silent: "silent: every sample is zero"
        case let .outOfLimits(_, r): "refused: \(r)"
        case let .tooLong(_, s, l):
            "too long: \(Self.duration(s)) exceeds the \(Self.duration(l)) limit (ingest --max-duration)"
        case let .resampling(_, r): "resampling failed: \(r)"
        case let .unwritable(_, r): "cannot write: \(r)"
        }
    }

    public var description: String { "\(path): \(reason)" }

    /// Seconds as `h:mm:ss`, or seconds below a minute.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e12 else { return "\(seconds) s" }
        guard seconds >= 60 else { return "\(Int(seconds.rounded())) s" }
        let total = Int(seconds.rounded(.down))
        let h = total / 3600
        let m = total % 3600 / 60
        let s = total % 60
        return h > 0 ? "\(h) h \(m) min \(s) s" : "\(m) min \(s) s"
    }
}
