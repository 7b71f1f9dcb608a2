import GRDB
import Store

/// `stemtrace query effects --genre G --target valence`: the mean relative effect of each
/// mid-level concept on an emotion output over the tracks of a genre, next to the mean over all
/// other tracks (the paper's Figure 4). Excerpts of one track are averaged first. Each mean has a
/// bootstrap interval over tracks, and the difference a permutation p-value and a
/// Benjamini–Hochberg q-value over the table's concepts (`UncertaintySettings`).
public enum EffectsQuery {
    public struct Row: Sendable, Equatable {
        public var concept: String
        public var genreMean: Double?
        public var genreTracks: Int
        public var restMean: Double?
        public var restTracks: Int
        public var genreInterval: Interval?
        public var restInterval: Interval?
        /// Two-sided permutation p-value of genre mean − rest mean.
        public var pValue: Double?
        /// Benjamini–Hochberg over this table's concepts.
        public var qValue: Double?
    }

    public static func rows(_ db: Database, filters: QueryFilters, genre: String, target: String) throws -> (
        model: String, rows: [Row], genres: GenreAssignment
    ) {
        let model = try filters.effectsModel(db, output: target)
        let assignment = try GenreAssignment.load(db, rules: filters.genres)
        let members = try assignment.require(genre)
        let effects = try Row_.fetchAll(
            db, sql: "SELECT track_id, concept, relative_effect FROM effects WHERE model_id = ? AND output = ?",
            arguments: [model, target])
        // Per track and concept, the mean over the track's excerpts.
        var perTrack: [String: [String: [Double]]] = [:]
        for e in effects where filters.includes(track: e.trackId) {
            perTrack[e.concept, default: [:]][e.trackId, default: []].append(e.relativeEffect)
        }
        let u = filters.uncertainty
        var rows = perTrack.keys.sorted().map { concept -> Row in
            // Tracks in id order, so that resamples do not depend on dictionary order.
            let tracks = (perTrack[concept] ?? [:]).mapValues { $0.reduce(0, +) / Double($0.count) }.sorted { $0.key < $1.key }
            let inGenre = tracks.filter { members.contains($0.key) }.map(\.value)
            let rest = tracks.filter { !members.contains($0.key) }.map(\.value)
            let stream = "effects/\(target)/\(genre)/\(concept)"
            return Row(
                concept: concept, genreMean: inGenre.isEmpty ? nil : inGenre.reduce(0, +) / Double(inGenre.count),
                genreTracks: inGenre.count,
                restMean: rest.isEmpty ? nil : rest.reduce(0, +) / Double(rest.count), restTracks: rest.count,
                genreInterval: u.interval(inGenre, stream: stream + "/genre"),
                restInterval: u.interval(rest, stream: stream + "/rest"),
                pValue: u.pValue(inGenre, rest, stream: stream + "/difference"))
        }
        for (i, q) in BenjaminiHochberg.qValues(rows.map(\.pValue)).enumerated() { rows[i].qValue = q }
        return (model, rows, assignment)
    }

    public static func run(_ db: Database, filters: QueryFilters, genre: String, target: String) throws -> QueryTable {
        let (model, rows, assignment) = try rows(db, filters: filters, genre: genre, target: target)
        return QueryTable(
            title: "mean relative effect on \(target): \(genre) vs all other tracks (model \(model.prefix(12)))",
            columns: ["concept", "\(genre)", "tracks", "other genres", "other tracks", "difference"]
                + QueryTable.uncertaintyColumns,
            rows: rows.map { r in
                [
                    .text(r.concept), r.genreMean.map(QueryTable.Value.number) ?? .missing, .integer(r.genreTracks),
                    r.restMean.map(QueryTable.Value.number) ?? .missing, .integer(r.restTracks),
                    (r.genreMean.flatMap { g in r.restMean.map { g - $0 } }).map(QueryTable.Value.number) ?? .missing,
                ] + QueryTable.uncertaintyCells(genre: r.genreInterval, rest: r.restInterval, p: r.pValue, q: r.qValue)
            },
            notes: ["genres from \(assignment.resolvedSource) tags", filters.uncertainty.note])
    }

    struct Row_: FetchableRecord, Decodable {
        var trackId: String
        var concept: String
        var relativeEffect: Double
        enum CodingKeys: String, CodingKey {
            case trackId = "track_id"
            case concept
            case relativeEffect = "relative_effect"
        }
    }
}
