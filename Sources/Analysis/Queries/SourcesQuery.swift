import Core
import GRDB
import Store

/// `stemtrace query sources --genre G --feature rhythm_stability`: which source drives a target
/// in a genre (the paper's §5.4): per source, the mean LIME weight (summed over its temporal
/// segments), the share of tracks whose top positive component is that source, and the fidelity
/// (median and quartiles) of those tracks' explanations. With `UncertaintySettings`: bootstrap
/// intervals over tracks (excerpts of a track averaged first) of the mean weight and of the top
/// share, the rest of the tracks' mean weight with its interval, and a permutation p-value of the
/// genre-versus-rest weight difference with Benjamini–Hochberg q-values over the sources.
public enum SourcesQuery {
    public struct Row: Sendable, Equatable {
        public var source: String
        public var meanWeight: Double
        public var explanations: Int
        public var topShare: Double
        public var topCount: Int
        public var topFidelity: SampleSummary?
        public var weightInterval: Interval?
        public var topShareInterval: Interval?
        /// Mean weight over the other tracks' explanations (same config and target).
        public var restMeanWeight: Double?
        public var restWeightInterval: Interval?
        public var pValue: Double?
        public var qValue: Double?
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
        let all = try ExplanationRecord.filter(Column("config_id") == config.id && Column("target") == feature).fetchAll(db)
            .filter { filters.includes(track: $0.trackId) }
        let explanations = all.filter { members.contains($0.trackId) }
        guard !explanations.isEmpty else {
            throw AnalysisError.missing(
                "no explanations of '\(feature)' for tracks of genre '\(genre)' with config \(config.id.prefix(12))")
        }
        let ids = all.compactMap(\.id)
        let weights = try ExplanationWeightRecord.filter(ids.contains(Column("explanation_id"))).fetchAll(db)
        let byExplanation = Dictionary(grouping: weights, by: \.explanationId)
        var sums: [String: Double] = [:]
        var top: [String: [Double]] = [:]
        var noPositive = 0
        // Per track: each explanation's weight per source and its top source, for the intervals.
        var perTrack: [String: [(weights: [String: Double], top: String?)]] = [:]
        for e in all {
            let w = byExplanation[e.id ?? -1] ?? []
            var perSource: [String: Double] = [:]
            for x in w { perSource[x.source, default: 0] += x.weight }
            let topSource = e.topComponent.flatMap { c in w.first(where: { $0.component == c })?.source }
            perTrack[e.trackId, default: []].append((perSource, topSource))
            guard members.contains(e.trackId) else { continue }
            for (s, v) in perSource { sums[s, default: 0] += v }
            if let source = topSource {
                top[source, default: []].append(e.fidelity)
            } else {
                noPositive += 1
            }
        }
        let n = Double(explanations.count)
        let u = filters.uncertainty
        let tracks = perTrack.keys.sorted()
        func trackMeans(_ source: String, inGenre: Bool, _ value: ([String: Double], String?) -> Double) -> [Double] {
            tracks.filter { members.contains($0) == inGenre }.map { t in
                let list = perTrack[t] ?? []
                return list.reduce(0) { $0 + value($1.weights, $1.top) } / Double(list.count)
            }
        }
        var rows = sums.keys.sorted().map { s in
            let weightOf: ([String: Double], String?) -> Double = { w, _ in w[s] ?? 0 }
            let genreWeights = trackMeans(s, inGenre: true, weightOf)
            let restWeights = trackMeans(s, inGenre: false, weightOf)
            let genreTop = trackMeans(s, inGenre: true) { _, t in t == s ? 1 : 0 }
            let stream = "sources/\(config.id)/\(feature)/\(genre)/\(s)"
            return Row(
                source: s, meanWeight: (sums[s] ?? 0) / n, explanations: explanations.count,
                topShare: Double(top[s]?.count ?? 0) / n, topCount: top[s]?.count ?? 0, topFidelity: SampleSummary(top[s] ?? []),
                weightInterval: u.interval(genreWeights, stream: stream + "/weight"),
                topShareInterval: u.interval(genreTop, stream: stream + "/top"),
                restMeanWeight: restWeights.isEmpty ? nil : restWeights.reduce(0, +) / Double(restWeights.count),
                restWeightInterval: u.interval(restWeights, stream: stream + "/rest"),
                pValue: u.pValue(genreWeights, restWeights, stream: stream + "/difference"))
        }.sorted { ($0.topShare, $0.meanWeight) > ($1.topShare, $1.meanWeight) }
        for (i, q) in BenjaminiHochberg.qValues(rows.map(\.pValue)).enumerated() { rows[i].qValue = q }
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
            columns: ["source", "mean weight", "top share", "top tracks", "fidelity median", "fidelity q1", "fidelity q3"]
                + ["rest_mean_weight", "top_share_ci_low", "top_share_ci_high"] + QueryTable.uncertaintyColumns,
            rows: r.rows.map { row in
                [
                    .text(row.source), .number(row.meanWeight), .number(row.topShare), .integer(row.topCount),
                    row.topFidelity.map { .number($0.median) } ?? .missing,
                    row.topFidelity.map { .number($0.lowerQuartile) } ?? .missing,
                    row.topFidelity.map { .number($0.upperQuartile) } ?? .missing,
                    row.restMeanWeight.map { .number($0) } ?? .missing,
                    row.topShareInterval.map { .number($0.low) } ?? .missing,
                    row.topShareInterval.map { .number($0.high) } ?? .missing,
                ]
                    + QueryTable.uncertaintyCells(
                        genre: row.weightInterval, rest: row.restWeightInterval, p: row.pValue, q: row.qValue)
            }, notes: notes + [filters.uncertainty.note])
    }
}
