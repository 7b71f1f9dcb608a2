import CLZ4
import Core
import Foundation

/// What made a run, stored in its `runs` row (migration 0007): the stemtrace version and git
/// commit, the versions of the libraries the process loaded, the host, its CPU model and
/// processor count, and the full command line. `current(libraries:)` fills what this process
/// knows; the SQLite version is added from the catalog's own connection when the row is written.
public struct RunProvenance: Sendable, Equatable, Codable {
    public var version: String
    public var commit: String
    /// Library name → version string (`libsndfile`, `libsoxr`, `fftw`, `openblas`, `onednn`, `lz4`, `sqlite`).
    public var libraries: [String: String]
    public var host: String
    public var cpu: String
    public var threads: Int
    public var commandLine: [String]

    public init(
        version: String, commit: String, libraries: [String: String], host: String, cpu: String, threads: Int,
        commandLine: [String]
    ) {
        self.version = version
        self.commit = commit
        self.libraries = libraries
        self.host = host
        self.cpu = cpu
        self.threads = threads
        self.commandLine = commandLine
    }

    /// This process: BuildInfo, LZ4's version plus `libraries` (what the caller's layers loaded),
    /// the host name, `/proc/cpuinfo`'s first `model name`, the active processor count and
    /// `CommandLine.arguments`.
    public static func current(libraries: [String: String] = [:]) -> RunProvenance {
        RunProvenance(
            version: BuildInfo.version, commit: BuildInfo.commit,
            libraries: libraries.merging(["lz4": String(cString: LZ4_versionString())]) { a, _ in a },
            host: ProcessInfo.processInfo.hostName, cpu: cpuModel(), threads: ProcessorCount.available,
            commandLine: CommandLine.arguments)
    }

    /// The CPU model name from /proc/cpuinfo (Linux), or `unknown`.
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}
