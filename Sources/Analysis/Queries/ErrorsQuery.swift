import Core
import GRDB
import Store

/// `stemtrace query errors --target valence --by-genre G --quantiles 10`: where a genre's tracks
/// fall among the prediction errors of all labelled tracks (the paper's Figures 3 and 6). The
/// error is prediction − label (labels rescaled to [-1, 1]); the q-quantile edges come from every
/// labelled track's error; a positive mean error is an over-estimation. Also the mean error of
/// every genre, with a bootstrap interval over its tracks and a permutation p-value of its
/// difference from all other tracks (Benjamini–Hochberg q over the genres).
public enum ErrorsQuery {
    public struct Bin: Sendable, Equatable {
        public var index: Int
        public var lower: Double
        public var upper: Double
        public var tracks: Int
        public var genreTracks: Int
    }

    /// One genre's mean error (prediction − label over its tracks) and its uncertainty.
    public struct GenreError: Sendable, Equatable {
        public var genre: String
        public var mean: Double
        public var tracks: Int
        public var interval: Interval?
        /// Two-sided permutation p-value of the genre's mean error against all other tracks'.
        public var pValue: Double?
        public var qValue: Double?
    }

    public struct Result: Sendable {
        public var model: String
        public var bins: [Bin]
        public var genreTotal: Int
        public var total: Int
        /// Every genre's mean error.
        public var meanError: [GenreError]
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
        var restOf: [String: [Double]] = [:]
        let sortedErrors = errors.sorted { $0.track < $1.track }
        let genreNames = Set(sortedErrors.flatMap { assignment.genres[$0.track] ?? [GenreRules.other] })
        for e in sortedErrors {
            let genres = assignment.genres[e.track] ?? [GenreRules.other]
            for g in genres { byGenre[g, default: []].append(e.error) }
            for g in genreNames where !genres.contains(g) { restOf[g, default: []].append(e.error) }
        }
        let u = filters.uncertainty
        var means = byGenre.keys.sorted().map { g in
            let values = byGenre[g] ?? []
            let stream = "errors/\(model)/\(target)/\(g)"
            return GenreError(
                genre: g, mean: values.reduce(0, +) / Double(max(values.count, 1)), tracks: values.count,
                interval: u.interval(values, stream: stream),
                pValue: u.pValue(values, restOf[g] ?? [], stream: stream + "/difference"))
        }
        for (i, q) in BenjaminiHochberg.qValues(means.map(\.pValue)).enumerated() { means[i].qValue = q }
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
            columns: ["genre", "mean error", "tracks", "ci_low", "ci_high", "difference_p", "difference_q"],
            rows: r.meanError.map { e in
                [
                    .text(e.genre), .number(e.mean), .integer(e.tracks), e.interval.map { .number($0.low) } ?? .missing,
                    e.interval.map { .number($0.high) } ?? .missing, e.pValue.map { .probability($0) } ?? .missing,
                    e.qValue.map { .probability($0) } ?? .missing,
                ]
            }, notes: [filters.uncertainty.note])
        return [bins, means]
    }
}
