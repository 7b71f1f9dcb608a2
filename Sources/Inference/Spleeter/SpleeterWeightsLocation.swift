import Foundation

/// Where spleeter weights live when no file is named: the cache `tools/fetch_spleeter` (run by
/// `tools/setup`) fills, `$STEMTRACE_SPLEETER_DIR`, else `$XDG_CACHE_HOME/stemtrace/spleeter`, else
/// `~/.cache/stemtrace/spleeter`. Outside the repository, so nothing of it is ever committed.
public enum SpleeterWeightsLocation {
    /// The command that fetches and converts the 2-stem weights (named in every error about them).
    public static let fetchCommand = "tools/fetch_spleeter (from the stemtrace checkout; tools/setup runs it)"
    /// The converted 2-stem model's file name inside the cache.
    public static let twoStemsFile = "2stems.safetensors"

    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["STEMTRACE_SPLEETER_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let cache =
            environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        return cache.appendingPathComponent("stemtrace").appendingPathComponent("spleeter")
    }

    /// The default 2-stem weights file.
    public static func twoStems(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        directory(environment: environment).appendingPathComponent(twoStemsFile)
    }
}
