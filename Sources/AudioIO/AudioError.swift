/// Why an audio file could not be turned into samples. Every case names the file.
public enum AudioError: Error, Equatable, CustomStringConvertible {
    /// libsndfile could not open the file (unreadable, unsupported or not audio).
    case undecodable(path: String, reason: String)
    /// Decoding stopped early or failed part-way.
    case truncated(path: String, reason: String)
    /// The file holds no samples.
    case empty(path: String)
    /// Decoded samples include NaN or ±Inf.
    case nonFinite(path: String, firstIndex: Int)
    /// Every decoded sample is exactly zero.
    case silent(path: String)
    /// The resampler failed.
    case resampling(path: String, reason: String)
    /// Writing an audio file failed.
    case unwritable(path: String, reason: String)

    public var path: String {
        switch self {
        case let .undecodable(p, _), let .truncated(p, _), let .empty(p), let .nonFinite(p, _),
            let .silent(p), let .resampling(p, _), let .unwritable(p, _):
            p
        }
    }

    /// A short reason without the path, for summaries.
    public var reason: String {
        switch self {
        case let .undecodable(_, r): "undecodable: \(r)"
        case let .truncated(_, r): "truncated: \(r)"
        case .empty: "empty: no audio samples"
        case let .nonFinite(_, i): "non-finite sample (NaN or Inf) at index \(i)"
        case .silent: "silent: every sample is zero"
        case let .resampling(_, r): "resampling failed: \(r)"
        case let .unwritable(_, r): "cannot write: \(r)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
