import Core
import GRDB
import Store

/// `stemtrace query errors --target valence --by-genre G --quantiles 10`: where a genre's tracks
/// fall among the prediction errors of all labelled tracks (the paper's Figures 3 and 6). The
/// error is prediction − label (labels rescaled to [-1, 1]); the q-quantile edges come from every
/// labelled track's error; a positive mean error is an over-estimation. Also the mean error of
/// every genre.
public enum ErrorsQuery {
    public struct Bin: Sendable, Equatable {
        public var index: Int
        public var lower: Double
        public var upper: Double
        public var tracks: Int
        public var genreTracks: Int
    }

    public struct Result: Sendable {
        public var model: String
        public var bins: [Bin]
        public var genreTotal: Int
        public var total: Int
        /// Genre → (mean error, tracks), every genre.
        public var meanError: [(genre: String, mean: Double, tracks: Int)]
        public var genres: GenreAssignment
    }

    public static func result(_ db: Database, filters: QueryFilters, target: String, genre: String, quantiles: Int) throws
        -> Result
    {
        guard quantiles >= 2 else { throw AnalysisError.invalidOption("--quantiles must be at least 2") }
        let labelled = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM labels WHERE name = ?", arguments: [target]) ?? 0
        guard labelled > 0 else {
            throw AnalysisError.missing("no labels of '\(target)' in this store; run stemtrace labels import FILE.csv")
        }
        let model = try filters.predictionModel(db, target: target)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT p.track_id AS track_id, AVG(p.value) AS prediction, AVG(l.value) AS label FROM predictions p
                JOIN labels l ON l.track_id = p.track_id AND l.name = p.name
                WHERE p.model_id = ? AND p.name = ? GROUP BY p.track_id
                """, arguments: [model, target])
        var errors: [(track: String, error: Double)] = []
        for row in rows {
            let track: String = try row.decode(forColumn: "track_id")
            guard filters.includes(track: track) else { continue }
            errors.append(
                (track, try row.decode(Double.self, forColumn: "prediction") - row.decode(Double.self, forColumn: "label")))
        }
        guard errors.count >= quantiles else {
            throw AnalysisError.missing(
                "\(errors.count) tracks have both a prediction and a label of '\(target)'; --quantiles \(quantiles) needs at least as many"
            )
        }
        let assignment = try GenreAssignment.load(db, rules: filters.genres)
        let members = try assignment.require(genre)
        let sorted = errors.map(\.error).sorted()
        let edges = (0...quantiles).map { SampleSummary.quantile(sorted, Double($0) / Double(quantiles)) }
        var bins = (0..<quantiles).map { Bin(index: $0 + 1, lower: edges[$0], upper: edges[$0 + 1], tracks: 0, genreTracks: 0) }
        for e in errors {
            // Bin i holds errors in [edge_i, edge_{i+1}); the last bin also holds the maximum.
            let i = min(quantiles - 1, max(0, (edges.lastIndex { $0 <= e.error } ?? 0)))
            bins[i].tracks += 1
            if members.contains(e.track) { bins[i].genreTracks += 1 }
        }
        var byGenre: [String: [Double]] = [:]
        for e in errors { for g in assignment.genres[e.track] ?? [GenreRules.other] { byGenre[g, default: []].append(e.error) } }
        let means = byGenre.keys.sorted().map { g in
            (g, (byGenre[g] ?? []).reduce(0, +) / Double(byGenre[g]?.count ?? 1), byGenre[g]?.count ?? 0)
        }
        return Result(
            model: model, bins: bins, genreTotal: errors.filter { members.contains($0.track) }.count, total: errors.count,
            meanError: means, genres: assignment)
    }

    public static func run(_ db: Database, filters: QueryFilters, target: String, genre: String, quantiles: Int) throws
        -> [QueryTable]
    {
        let r = try result(db, filters: filters, target: target, genre: genre, quantiles: quantiles)
        let bins = QueryTable(
            title:
                "\(genre) among the \(quantiles)-quantiles of the \(target) error (prediction − label, model \(r.model.prefix(12)))",
            columns: ["quantile", "from", "to", "tracks", "\(genre) tracks", "share of \(genre)"],
            rows: r.bins.map { b in
                [
                    .integer(b.index), .number(b.lower), .number(b.upper), .integer(b.tracks), .integer(b.genreTracks),
                    .number(r.genreTotal > 0 ? Double(b.genreTracks) / Double(r.genreTotal) : 0),
                ]
            }, notes: ["\(r.genreTotal) of \(r.total) labelled tracks are \(genre) (genres from \(r.genres.resolvedSource) tags)"]
        )
        let means = QueryTable(
            title: "mean \(target) error per genre (positive: over-estimated)",
            columns: ["genre", "mean error", "tracks"],
            rows: r.meanError.map { [.text($0.genre), .number($0.mean), .integer($0.tracks)] })
        return [bins, means]
    }
}
