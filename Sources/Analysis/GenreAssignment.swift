import GRDB
import Store

/// Each track's genres under one set of `GenreRules`, read from the catalog's `tags`.
public struct GenreAssignment: Sendable {
    public let rules: GenreRules
    /// The source actually used (resolves `auto`).
    public let resolvedSource: GenreRules.Source
    /// Track id → its genres (never empty: `other` when none).
    public let genres: [String: [String]]

    public init(rules: GenreRules, resolvedSource: GenreRules.Source, genres: [String: [String]]) {
        self.rules = rules
        self.resolvedSource = resolvedSource
        self.genres = genres
    }

    /// Assigns genres to every track in the catalog.
    public static func load(_ db: Database, rules: GenreRules) throws -> GenreAssignment {
        let tracks = try String.fetchAll(db, sql: "SELECT id FROM tracks")
        let tags = try Row.fetchAll(db, sql: "SELECT track_id, tag, source, score FROM tags")
        var source = rules.source
        if source == .auto {
            let sources = Set(try tags.map { try $0.decode(String.self, forColumn: "source") })
            source = sources.contains("csv") ? .csv : sources.contains("file") ? .file : .musicnn(model: nil)
        }
        var genres: [String: [String]] = [:]
        switch source {
        case .file, .csv, .auto:
            let name = source == .file ? "file" : "csv"
            for row in tags where try row.decode(String.self, forColumn: "source") == name {
                genres[try row.decode(String.self, forColumn: "track_id"), default: []].append(try row.decode(forColumn: "tag"))
            }
        case let .musicnn(model):
            let prefix = "musicnn:" + (model ?? "")
            let producers = Set(try tags.map { try $0.decode(String.self, forColumn: "source") }.filter { $0.hasPrefix(prefix) })
            guard producers.count <= 1 else {
                throw AnalysisError.ambiguous(what: "musicnn taggers", candidates: producers.sorted())
            }
            let wanted = Set(rules.genreTags.map { $0.lowercased() })
            var best: [String: (tag: String, score: Double)] = [:]
            for row in tags where try row.decode(String.self, forColumn: "source").hasPrefix(prefix) {
                let tag = try row.decode(String.self, forColumn: "tag").lowercased()
                let score = try row.decode(Double?.self, forColumn: "score") ?? 0
                guard wanted.contains(tag), score >= rules.threshold else { continue }
                let track: String = try row.decode(forColumn: "track_id")
                if score > (best[track]?.score ?? -1) { best[track] = (tag, score) }
            }
            for (track, b) in best { genres[track] = [b.tag] }
        }
        var all: [String: [String]] = [:]
        for t in tracks { all[t] = Array(Set(genres[t] ?? [])).sorted().nilIfEmpty ?? [GenreRules.other] }
        return GenreAssignment(rules: rules, resolvedSource: source, genres: all)
    }

    /// Every genre with at least one track, sorted.
    public var allGenres: [String] { Array(Set(genres.values.flatMap { $0 })).sorted() }

    /// Tracks in a genre (case-insensitive).
    public func tracks(in genre: String) -> Set<String> {
        let g = genre.lowercased()
        return Set(genres.filter { $0.value.contains { $0.lowercased() == g } }.keys)
    }

    /// Checks that a genre exists; the error lists the known ones.
    public func require(_ genre: String) throws -> Set<String> {
        let members = tracks(in: genre)
        guard !members.isEmpty else {
            throw AnalysisError.unknown(what: "genre (source \(resolvedSource))", value: genre, known: allGenres)
        }
        return members
    }
}

extension Array {
    var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}
