import GRDB
import Store

/// `stemtrace query compare --model A --model B --genre G (--target T | --feature F)`: the
/// effects query (with `--target`) or the sources query (with `--feature`) for two models side by
/// side, as the paper does to check a retrained model, each with its bootstrap interval over the
/// genre's tracks.
public enum CompareQuery {
    public static func run(
        _ db: Database, filters: QueryFilters, models: [String], genre: String, target: String?, feature: String?
    ) throws -> QueryTable {
        guard models.count == 2 else {
            throw AnalysisError.invalidOption("compare needs exactly two --model values, got \(models.count)")
        }
        guard (target == nil) != (feature == nil) else {
            throw AnalysisError.invalidOption("compare needs --target (effects) or --feature (sources), not both")
        }
        var results: [[String: Double]] = []
        var intervals: [[String: Interval]] = []
        var ids: [String] = []
        for m in models {
            var f = filters
            f.model = m
            if let target {
                let r = try EffectsQuery.rows(db, filters: f, genre: genre, target: target)
                ids.append(r.model)
                results.append(
                    Dictionary(uniqueKeysWithValues: r.rows.compactMap { row in row.genreMean.map { (row.concept, $0) } }))
                intervals.append(
                    Dictionary(uniqueKeysWithValues: r.rows.compactMap { row in row.genreInterval.map { (row.concept, $0) } }))
            } else if let feature {
                let r = try SourcesQuery.result(db, filters: f, genre: genre, feature: feature)
                ids.append(r.config.modelId)
                results.append(Dictionary(uniqueKeysWithValues: r.rows.map { ($0.source, $0.meanWeight) }))
                intervals.append(
                    Dictionary(uniqueKeysWithValues: r.rows.compactMap { row in row.weightInterval.map { (row.source, $0) } }))
            }
        }
        let keys = Set(results.flatMap(\.keys)).sorted()
        let a = String(ids[0].prefix(12))
        let b = String(ids[1].prefix(12))
        return QueryTable(
            title: target.map { "mean relative effect on \($0) in \(genre): \(a) vs \(b)" }
                ?? "mean weight of each source for \(feature ?? "") in \(genre): \(a) vs \(b)",
            columns: [
                target == nil ? "source" : "concept", a, b, "difference", "a_ci_low", "a_ci_high", "b_ci_low", "b_ci_high",
            ],
            rows: keys.map { k in
                let x = results[0][k]
                let y = results[1][k]
                let (ia, ib) = (intervals[0][k], intervals[1][k])
                return [
                    .text(k), x.map(QueryTable.Value.number) ?? .missing, y.map(QueryTable.Value.number) ?? .missing,
                    (x.flatMap { x in y.map { y in y - x } }).map(QueryTable.Value.number) ?? .missing,
                    ia.map { .number($0.low) } ?? .missing, ia.map { .number($0.high) } ?? .missing,
                    ib.map { .number($0.low) } ?? .missing, ib.map { .number($0.high) } ?? .missing,
                ]
            }, notes: [filters.uncertainty.note])
    }
}
