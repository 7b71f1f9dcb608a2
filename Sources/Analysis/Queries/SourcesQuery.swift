import Core
import GRDB
import Store

/// `stemtrace query sources --genre G --feature rhythm_stability`: which source drives a target
/// in a genre (the paper's §5.4): per source, the mean LIME weight (summed over its temporal
/// segments), the share of tracks whose top positive component is that source, and the fidelity
/// (median and quartiles) of those tracks' explanations.
public enum SourcesQuery {
    public struct Row: Sendable, Equatable {
        public var source: String
        public var meanWeight: Double
        public var explanations: Int
        public var topShare: Double
        public var topCount: Int
        public var topFidelity: SampleSummary?
    }

    public struct Result: Sendable {
        public var config: ExplanationConfigRecord
        public var rows: [Row]
        public var fidelity: SampleSummary?
        public var genres: GenreAssignment
        public var noPositive: Int
    }

    public static func result(_ db: Database, filters: QueryFilters, genre: String, feature: String) throws -> Result {
        let config = try filters.explanationConfig(db, target: feature)
        let assignment = try GenreAssignment.load(db, rules: filters.genres)
        let members = try assignment.require(genre)
        let explanations = try ExplanationRecord.filter(Column("config_id") == config.id && Column("target") == feature).fetchAll(
            db
        )
        .filter { members.contains($0.trackId) && filters.includes(track: $0.trackId) }
        guard !explanations.isEmpty else {
            throw AnalysisError.missing(
                "no explanations of '\(feature)' for tracks of genre '\(genre)' with config \(config.id.prefix(12))")
        }
        let ids = explanations.compactMap(\.id)
        let weights = try ExplanationWeightRecord.filter(ids.contains(Column("explanation_id"))).fetchAll(db)
        let byExplanation = Dictionary(grouping: weights, by: \.explanationId)
        var sums: [String: Double] = [:]
        var top: [String: [Double]] = [:]
        var noPositive = 0
        for e in explanations {
            let w = byExplanation[e.id ?? -1] ?? []
            var perSource: [String: Double] = [:]
            for x in w { perSource[x.source, default: 0] += x.weight }
            for (s, v) in perSource { sums[s, default: 0] += v }
            if let c = e.topComponent, let source = w.first(where: { $0.component == c })?.source {
                top[source, default: []].append(e.fidelity)
            } else {
                noPositive += 1
            }
        }
        let n = Double(explanations.count)
        let rows = sums.keys.sorted().map { s in
            Row(
                source: s, meanWeight: (sums[s] ?? 0) / n, explanations: explanations.count,
                topShare: Double(top[s]?.count ?? 0) / n, topCount: top[s]?.count ?? 0, topFidelity: SampleSummary(top[s] ?? []))
        }.sorted { ($0.topShare, $0.meanWeight) > ($1.topShare, $1.meanWeight) }
        return Result(
            config: config, rows: rows, fidelity: SampleSummary(explanations.map(\.fidelity)), genres: assignment,
            noPositive: noPositive)
    }

    public static func run(_ db: Database, filters: QueryFilters, genre: String, feature: String) throws -> QueryTable {
        let r = try result(db, filters: filters, genre: genre, feature: feature)
        var notes = [
            "genres from \(r.genres.resolvedSource) tags; config \(r.config.id.prefix(12)) (\(r.config.separatorId), \(r.config.composition))"
        ]
        if let f = r.fidelity {
            notes.append(
                String(
                    format: "fidelity over all %d explanations: median %.3f, quartiles %.3f–%.3f", f.count, f.median,
                    f.lowerQuartile, f.upperQuartile))
        }
        if r.noPositive > 0 { notes.append("\(r.noPositive) explanations have no positive weight") }
        return QueryTable(
            title: "sources of \(feature) in \(genre)",
            columns: ["source", "mean weight", "top share", "top tracks", "fidelity median", "fidelity q1", "fidelity q3"],
            rows: r.rows.map { row in
                [
                    .text(row.source), .number(row.meanWeight), .number(row.topShare), .integer(row.topCount),
                    row.topFidelity.map { .number($0.median) } ?? .missing,
                    row.topFidelity.map { .number($0.lowerQuartile) } ?? .missing,
                    row.topFidelity.map { .number($0.upperQuartile) } ?? .missing,
                ]
            }, notes: notes)
    }
}
