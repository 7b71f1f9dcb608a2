/// What this build of stemtrace is: the release version (a constant here) and the git commit
/// it was built from (captured by the BuildCommit build-tool plugin; `unknown` without git,
/// with `-dirty` when tracked files had changes). `stemtrace --version` prints both and every
/// run row records them.
public enum BuildInfo {
    public static let version = "0.1.0"
    public static var commit: String { BuildCommit.hash }
    /// `0.1.0 (commit 1a2b…)`, as `stemtrace --version` prints it.
    public static var description: String { "\(version) (commit \(commit))" }
}
