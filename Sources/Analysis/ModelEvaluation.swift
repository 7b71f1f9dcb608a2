import Core
import Foundation
import GRDB
import Store

/// `stemtrace evaluate`: a model's predictions against the stored labels, per target — RMSE, R²
/// (scikit-learn's `r2_score`: 1 − SS_res/SS_tot) and Pearson r — each with a bootstrap interval
/// over tracks (pairs resampled together), overall and per genre. Predictions of a track's
/// excerpts are averaged first; labels are on [-1, 1] (`labels import` rescales them). Label sets
/// are told apart by the file they came from (`labels.source`), as the paper's Table 1 tells its
/// datasets apart; the first table has its layout, one row per model and label set.
public enum ModelEvaluation {
    /// One metric with its interval.
    public struct Metric: Sendable, Equatable {
        public var value: Double?
        public var interval: Interval?
    }

    public struct Row: Sendable, Equatable {
        public var model: String
        /// The labels' source file.
        public var labels: String
        public var target: String
        /// A genre, or "all".
        public var genre: String
        public var tracks: Int
        public var rmse: Metric
        public var r2: Metric
        public var pearson: Metric
    }

    /// RMSE, R² and r of paired values (nil where undefined: no tracks; R² when every label is
    /// equal; r when either side is constant).
    public static func metrics(_ predictions: [Double], _ labels: [Double]) -> (rmse: Double?, r2: Double?, pearson: Double?) {
        guard !predictions.isEmpty, predictions.count == labels.count else { return (nil, nil, nil) }
        let n = Double(labels.count)
        let residual = zip(predictions, labels).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let mean = labels.reduce(0, +) / n
        let total = labels.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
        return (
            (residual / n).squareRoot(), total > 0 ? 1 - residual / total : nil,
            SampleSummary.correlation(predictions, labels)
        )
    }

    public static func rows(_ db: Database, filters: QueryFilters) throws -> [Row] {
        let models = try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT p.model_id FROM predictions p JOIN labels l ON l.track_id = p.track_id AND l.name = p.name
                WHERE p.model_id LIKE ? \(LikePattern.escapeClause) ORDER BY p.model_id
                """, arguments: [LikePattern.prefix(filters.model ?? "")])
        guard !models.isEmpty else {
            throw AnalysisError.missing(
                "no predictions with labels" + (filters.model.map { " for model \($0)" } ?? "")
                    + "; run stemtrace infer and stemtrace labels import FILE.csv")
        }
        let assignment = try GenreAssignment.load(db, rules: filters.genres)
        let u = filters.uncertainty
        var rows: [Row] = []
        for model in models {
            let pairs = try Row_.fetchAll(
                db,
                sql: """
                    SELECT p.track_id, p.name, l.source, AVG(p.value) AS prediction, l.value AS label FROM predictions p
                    JOIN labels l ON l.track_id = p.track_id AND l.name = p.name WHERE p.model_id = ?
                    GROUP BY p.track_id, p.name, l.source ORDER BY l.source, p.name, p.track_id
                    """, arguments: [model]
            ).filter { filters.includes(track: $0.trackId) }
            let groups = Dictionary(grouping: pairs) { [$0.source, $0.name] }
            for key in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let group = groups[key] ?? []
                var byGenre: [String: [Row_]] = ["all": group]
                for pair in group {
                    for g in assignment.genres[pair.trackId] ?? [GenreRules.other] { byGenre[g, default: []].append(pair) }
                }
                for genre in ["all"] + byGenre.keys.filter({ $0 != "all" }).sorted() {
                    let items = byGenre[genre] ?? []
                    let p = items.map(\.prediction)
                    let l = items.map(\.label)
                    let point = metrics(p, l)
                    let stream = "evaluate/\(model)/\(key.joined(separator: "/"))/\(genre)"
                    func ci(_ name: String, _ pick: @escaping ((rmse: Double?, r2: Double?, pearson: Double?)) -> Double?)
                        -> Interval?
                    {
                        Bootstrap.interval(
                            count: items.count, resamples: u.resamples, level: u.level, seed: u.seed, stream: stream + "/" + name
                        ) { draw in pick(metrics(draw.map { p[$0] }, draw.map { l[$0] })) }.map {
                            Interval(low: $0.low, high: $0.high)
                        }
                    }
                    rows.append(
                        Row(
                            model: model, labels: key[0], target: key[1], genre: genre, tracks: items.count,
                            rmse: Metric(value: point.rmse, interval: ci("rmse") { $0.rmse }),
                            r2: Metric(value: point.r2, interval: ci("r2") { $0.r2 }),
                            pearson: Metric(value: point.pearson, interval: ci("r") { $0.pearson })))
                }
            }
        }
        return rows
    }

    public static func run(_ db: Database, filters: QueryFilters) throws -> [QueryTable] {
        let rows = try rows(db, filters: filters)
        let overall = rows.filter { $0.genre == "all" }
        // Table 1's layout: one row per model and label set, RMSE and R² per target.
        let targets = Array(Set(overall.map(\.target))).sorted { rank($0, $1) }
        let sets = Array(Set(overall.map { [$0.model, $0.labels] })).sorted { $0.lexicographicallyPrecedes($1) }
        func cell(_ m: Metric) -> String {
            guard let v = m.value else { return "" }
            guard let i = m.interval else { return String(format: "%.3f", v) }
            return String(format: "%.3f [%.3f, %.3f]", v, i.low, i.high)
        }
        let table1 = QueryTable(
            title: "predictions against labels (the paper's Table 1 layout; value [\(filters.uncertainty.levelText) interval])",
            columns: ["model", "labels", "tracks"] + targets.flatMap { ["\($0) RMSE", "\($0) R²"] },
            rows: sets.map { set in
                let mine = overall.filter { [$0.model, $0.labels] == set }
                return [.text(String(set[0].prefix(12))), .text(set[1]), .integer(mine.map(\.tracks).max() ?? 0)]
                    + targets.flatMap { t -> [QueryTable.Value] in
                        guard let r = mine.first(where: { $0.target == t }) else { return [.missing, .missing] }
                        return [.text(cell(r.rmse)), .text(cell(r.r2))]
                    }
            }, notes: [filters.uncertainty.note])
        func values(_ m: Metric) -> [QueryTable.Value] {
            [
                m.value.map { .number($0) } ?? .missing, m.interval.map { .number($0.low) } ?? .missing,
                m.interval.map { .number($0.high) } ?? .missing,
            ]
        }
        let detail = QueryTable(
            title: "predictions against labels per target and genre",
            columns: [
                "model_id", "labels", "target", "genre", "tracks", "rmse", "rmse_ci_low", "rmse_ci_high", "r2", "r2_ci_low",
                "r2_ci_high", "pearson_r", "pearson_r_ci_low", "pearson_r_ci_high",
            ],
            rows: rows.map { r in
                [.text(r.model), .text(r.labels), .text(r.target), .text(r.genre), .integer(r.tracks)] + values(r.rmse)
                    + values(r.r2) + values(r.pearson)
            })
        return [table1, detail]
    }

    /// arousal and valence first (the paper's order), then the rest alphabetically.
    private static func rank(_ a: String, _ b: String) -> Bool {
        let order = ["arousal": 0, "valence": 1]
        return (order[a] ?? 2, a) < (order[b] ?? 2, b)
    }

    struct Row_: FetchableRecord, Decodable {
        var trackId: String
        var name: String
        var source: String
        var prediction: Double
        var label: Double
        enum CodingKeys: String, CodingKey {
            case trackId = "track_id"
            case name
            case source
            case prediction
            case label
        }
    }
}
