/// How a track gets its genres from its tags (`--genre-source`).
///
/// - `file`, `csv`: every tag of that source is a genre (a track may be in several).
/// - `musicnn` (optionally `musicnn:<model id prefix>`): the top-scoring stored musicnn tag among
///   `genreTags` (default: the genre tags of the Million Song Dataset's 50 tags), if its score is
///   at least `threshold`. Only the tags `stemtrace tag` stored (its `--top`) are seen.
/// - `auto`: csv tags if any track has them, else file tags, else musicnn.
/// A track without a genre from the chosen source is in `other`.
public struct GenreRules: Sendable, Equatable {
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case auto, file, csv
        case musicnn(model: String?)

        /// Parses `auto`, `file`, `csv`, `musicnn` or `musicnn:<model id prefix>`.
        public init?(argument: String) {
            switch argument.lowercased() {
            case "auto": self = .auto
            case "file": self = .file
            case "csv": self = .csv
            case "musicnn": self = .musicnn(model: nil)
            default:
                guard argument.lowercased().hasPrefix("musicnn:") else { return nil }
                self = .musicnn(model: String(argument.dropFirst("musicnn:".count)))
            }
        }

        public var description: String {
            switch self {
            case .auto: "auto"
            case .file: "file"
            case .csv: "csv"
            case let .musicnn(model): model.map { "musicnn:\($0)" } ?? "musicnn"
            }
        }
    }

    public var source: Source = .auto
    public var genreTags: [String] = GenreRules.msdGenreTags
    public var threshold: Double = 0.1

    public init(source: Source = .auto, genreTags: [String] = GenreRules.msdGenreTags, threshold: Double = 0.1) {
        self.source = source
        self.genreTags = genreTags
        self.threshold = threshold
    }

    /// The genres among musicnn's 50 MSD tags (lower-cased as stored).
    public static let msdGenreTags = [
        "rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz", "metal", "chillout",
        "classic rock", "soul", "indie rock", "electronica", "folk", "punk", "blues", "hard rock", "ambient", "experimental",
        "hip-hop", "country", "funk", "electro", "heavy metal", "progressive rock", "rnb", "indie pop", "house",
    ]

    /// The name of the genre for tracks without one.
    public static let other = "other"
}
