import AudioIO

/// Why stems could not be made for a track; every case names the track's file.
public enum SeparationError: Error, Equatable, CustomStringConvertible {
    case invalidStems(path: String, reason: String)
    case lengthMismatch(path: String, stem: String, expected: Int, actual: Int)
    case nonFinite(path: String, stem: String)
    case missingStem(path: String, stem: String, searched: String)
    case toolFailed(path: String, tool: String, status: String, output: String)
    case timeout(path: String, tool: String, seconds: Double)
    case audio(AudioError)
    case io(path: String, reason: String)

    public var path: String {
        switch self {
        case let .invalidStems(p, _), let .lengthMismatch(p, _, _, _), let .nonFinite(p, _), let .missingStem(p, _, _),
            let .toolFailed(p, _, _, _), let .timeout(p, _, _), let .io(p, _):
            p
        case let .audio(e): e.path
        }
    }

    /// A short reason without the path, for summaries.
    public var reason: String {
        switch self {
        case let .invalidStems(_, r): "separation: \(r)"
        case let .lengthMismatch(_, s, e, a): "separation: stem '\(s)' has \(a) samples, expected \(e)"
        case let .nonFinite(_, s): "separation: stem '\(s)' contains NaN or Inf"
        case let .missingStem(_, s, w): "separation: stem '\(s)' not found (looked for \(w))"
        case let .toolFailed(_, t, s, o): "separator '\(t)' failed (\(s))" + (o.isEmpty ? "" : ": \(o)")
        case let .timeout(_, t, s): "separator '\(t)' timed out after \(s) s"
        case let .audio(e): "separation: \(e.reason)"
        case let .io(_, r): "separation: \(r)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
