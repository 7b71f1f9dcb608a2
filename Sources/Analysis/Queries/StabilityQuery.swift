import Core
import Foundation
import GRDB
import Store

/// `stemtrace query stability --target T [--genre G]`: do the explanations survive another draw
/// of masks or another separator? For every pair of explanation configs that differ only in the
/// mask seed, or only in the separator (and its stem list), and that both explain T, over the
/// excerpts both explained, per genre (and all tracks):
/// - top-source agreement: the share of excerpts whose top positive component comes from the same
///   source in both (with a bootstrap interval over tracks);
/// - Spearman's ρ between the two configs' source weights (summed over temporal segments; sources
///   common to both), per excerpt, averaged;
/// - per source, the mean weight in each config and the mean |difference| (second table).
/// An agreement below 0.8 gets a note: sampled masks need more samples (or fewer components).
/// Seeds change anything only for sampled masks (exhaustive configs give identical results).
public enum StabilityQuery {
    /// Two configs and what differs between them.
    public struct Pair: Sendable, Equatable {
        public var a: ExplanationConfigRecord
        public var b: ExplanationConfigRecord
        /// "seed" or "separator".
        public var differs: String
        public var label: String {
            differs == "seed" ? "seed \(a.seed) vs \(b.seed)" : "\(a.separatorId) vs \(b.separatorId)"
        }
    }

    public struct Row: Sendable, Equatable {
        public var pair: Pair
        public var genre: String
        public var excerpts: Int
        public var agreement: Double
        public var agreementInterval: Interval?
        public var spearman: Double?
    }

    public struct SourceRow: Sendable, Equatable {
        public var pair: Pair
        public var genre: String
        public var source: String
        public var meanA: Double
        public var meanB: Double
        public var meanAbsoluteDifference: Double
    }

    /// The agreement below which a table note advises more samples.
    public static let agreementFloor = 0.8

    /// Pairs of configs explaining `target` that differ only in the seed or only in the separator.
    static func pairs(_ db: Database, filters: QueryFilters, target: String) throws -> [Pair] {
        let configs = try ExplanationConfigRecord.fetchAll(
            db,
            sql: """
                SELECT DISTINCT c.* FROM explanation_configs c JOIN explanations e ON e.config_id = c.id
                WHERE e.target = ? AND c.model_id LIKE ? \(LikePattern.escapeClause) ORDER BY c.id
                """, arguments: [target, LikePattern.prefix(filters.model ?? "")]
        ).filter { filters.composition == nil || $0.composition == filters.composition }
        func settings(_ c: ExplanationConfigRecord, without keys: Set<String>) -> [String: String]? {
            guard let data = c.config.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            var out: [String: String] = [:]
            for (k, v) in object where !keys.contains(k) { out[k] = "\(v)" }
            return out
        }
        var result: [Pair] = []
        for i in configs.indices {
            for j in configs.indices where j > i {
                let (a, b) = (configs[i], configs[j])
                if let x = settings(a, without: ["seed"]), x == settings(b, without: ["seed"]), a.seed != b.seed {
                    result.append(Pair(a: a, b: b, differs: "seed"))
                } else if let x = settings(a, without: ["separator", "stems"]),
                    x == settings(b, without: ["separator", "stems"]),
                    a.separatorId != b.separatorId
                {
                    result.append(Pair(a: a, b: b, differs: "separator"))
                }
            }
        }
        guard !result.isEmpty else {
            throw AnalysisError.missing(
                "no two explanation configs of '\(target)' differ only in the seed or only in the separator; run stemtrace explain again with another --seed (sampled masks) or --separator"
            )
        }
        return result
    }

    /// Per explanation: the source weights (summed over segments) and the top source.
    struct Explained {
        var track: String
        var weights: [String: Double]
        var top: String?
    }

    static func explained(_ db: Database, config: String, target: String, filters: QueryFilters) throws -> [Int64: Explained] {
        let explanations = try ExplanationRecord.filter(Column("config_id") == config && Column("target") == target).fetchAll(db)
            .filter { filters.includes(track: $0.trackId) }
        let ids = explanations.compactMap(\.id)
        let weights = Dictionary(
            grouping: try ExplanationWeightRecord.filter(ids.contains(Column("explanation_id"))).fetchAll(db), by: \.explanationId
        )
        var out: [Int64: Explained] = [:]
        for e in explanations {
            let w = weights[e.id ?? -1] ?? []
            var perSource: [String: Double] = [:]
            for x in w { perSource[x.source, default: 0] += x.weight }
            let top = e.topComponent.flatMap { c in w.first(where: { $0.component == c })?.source }
            out[e.excerptId] = Explained(track: e.trackId, weights: perSource, top: top)
        }
        return out
    }

    public static func result(_ db: Database, filters: QueryFilters, target: String, genre: String?) throws -> (
        rows: [Row], sources: [SourceRow], genres: GenreAssignment
    ) {
        let assignment = try GenreAssignment.load(db, rules: filters.genres)
        let genres =
            try genre.map { g in
                _ = try assignment.require(g)
                return [g]
            } ?? (["all"] + Set(assignment.genres.values.flatMap { $0 }).sorted())
        var rows: [Row] = []
        var sourceRows: [SourceRow] = []
        for pair in try pairs(db, filters: filters, target: target) {
            let a = try explained(db, config: pair.a.id, target: target, filters: filters)
            let b = try explained(db, config: pair.b.id, target: target, filters: filters)
            let common = a.keys.filter { b[$0] != nil }.sorted()
            for g in genres {
                let excerpts = common.filter { id in
                    g == "all" || (assignment.genres[a[id]?.track ?? ""] ?? [GenreRules.other]).contains(g)
                }
                guard !excerpts.isEmpty else { continue }
                var agreeByTrack: [String: [Double]] = [:]
                var rhos: [Double] = []
                var sums: [String: (a: Double, b: Double, d: Double, n: Int)] = [:]
                for id in excerpts {
                    guard let x = a[id], let y = b[id] else { continue }
                    agreeByTrack[x.track, default: []].append(x.top != nil && x.top == y.top ? 1 : 0)
                    let shared = Set(x.weights.keys).intersection(y.weights.keys).sorted()
                    if let rho = spearman(shared.map { x.weights[$0] ?? 0 }, shared.map { y.weights[$0] ?? 0 }) {
                        rhos.append(rho)
                    }
                    for s in shared {
                        let (wa, wb) = (x.weights[s] ?? 0, y.weights[s] ?? 0)
                        let old = sums[s] ?? (0, 0, 0, 0)
                        sums[s] = (old.a + wa, old.b + wb, old.d + abs(wa - wb), old.n + 1)
                    }
                }
                let perTrack = agreeByTrack.keys.sorted().map { t in
                    let v = agreeByTrack[t] ?? []
                    return v.reduce(0, +) / Double(v.count)
                }
                let agreements = agreeByTrack.values.flatMap { $0 }
                rows.append(
                    Row(
                        pair: pair, genre: g, excerpts: excerpts.count,
                        agreement: agreements.reduce(0, +) / Double(agreements.count),
                        agreementInterval: filters.uncertainty.interval(
                            perTrack, stream: "stability/\(pair.a.id)/\(pair.b.id)/\(target)/\(g)"),
                        spearman: rhos.isEmpty ? nil : rhos.reduce(0, +) / Double(rhos.count)))
                for s in sums.keys.sorted() {
                    let v = sums[s] ?? (0, 0, 0, 1)
                    let n = Double(v.n)
                    sourceRows.append(
                        SourceRow(
                            pair: pair, genre: g, source: s, meanA: v.a / n, meanB: v.b / n, meanAbsoluteDifference: v.d / n))
                }
            }
        }
        return (rows, sourceRows, assignment)
    }

    /// Spearman's ρ: Pearson's r of the ranks (ties get their mean rank); nil for fewer than
    /// two values or a constant side.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        return SampleSummary.correlation(ranks(x), ranks(y))
    }

    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    public static func run(_ db: Database, filters: QueryFilters, target: String, genre: String?) throws -> [QueryTable] {
        let r = try result(db, filters: filters, target: target, genre: genre)
        var notes = ["genres from \(r.genres.resolvedSource) tags", filters.uncertainty.note]
        for row in r.rows where row.agreement < agreementFloor {
            let share = String(format: "%.0f %%", row.agreement * 100)
            notes.append(
                "\(row.pair.label), \(row.genre): top sources agree on only \(share) of \(row.excerpts) excerpts — "
                    + "use more samples (--samples) or fewer components")
        }
        let summary = QueryTable(
            title: "stability of the explanations of \(target): configs differing only in the seed or the separator",
            columns: [
                "config_a", "config_b", "differs", "between", "genre", "excerpts", "top_agreement", "top_agreement_ci_low",
                "top_agreement_ci_high", "spearman_rho",
            ],
            rows: r.rows.map { row in
                [
                    .text(String(row.pair.a.id.prefix(12))), .text(String(row.pair.b.id.prefix(12))), .text(row.pair.differs),
                    .text(row.pair.label), .text(row.genre), .integer(row.excerpts), .number(row.agreement),
                    row.agreementInterval.map { .number($0.low) } ?? .missing,
                    row.agreementInterval.map { .number($0.high) } ?? .missing, row.spearman.map { .number($0) } ?? .missing,
                ]
            }, notes: notes)
        let spread = QueryTable(
            title: "source weights of \(target) in both configs",
            columns: ["config_a", "config_b", "genre", "source", "mean_weight_a", "mean_weight_b", "mean_abs_difference"],
            rows: r.sources.map { s in
                [
                    .text(String(s.pair.a.id.prefix(12))), .text(String(s.pair.b.id.prefix(12))), .text(s.genre), .text(s.source),
                    .number(s.meanA), .number(s.meanB), .number(s.meanAbsoluteDifference),
                ]
            })
        return [summary, spread]
    }
}
