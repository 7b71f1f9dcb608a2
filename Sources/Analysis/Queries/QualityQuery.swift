import Core
import GRDB
import Store

/// `stemtrace query quality`: how good the explanations are (the paper's Figures 1 and 2): per
/// model, separator, composition and target, the fidelity and complexity distributions, the
/// random-attribution complexity baseline for the same number of components, the share of
/// explanations simpler than that baseline's mean, and the fidelity–complexity correlation.
public enum QualityQuery {
    public struct Row: Sendable {
        public var config: ExplanationConfigRecord
        public var target: String
        public var components: Int
        public var fidelity: SampleSummary
        public var complexity: SampleSummary?
        public var baselineMean: Double?
        public var baselineStd: Double?
        public var belowBaseline: Double?
        public var correlation: Double?
    }

    public static func rows(_ db: Database, filters: QueryFilters) throws -> [Row] {
        let configs = try ExplanationConfigRecord.fetchAll(db).filter { c in
            c.id.hasPrefix(filters.config ?? "") && c.modelId.hasPrefix(filters.model ?? "")
                && c.separatorId.hasPrefix(filters.separator ?? "") && (filters.composition.map { $0 == c.composition } ?? true)
        }
        let baselines = Dictionary(
            uniqueKeysWithValues: try ComplexityBaselineRecord.fetchAll(db).map { ($0.componentCount, $0) })
        var rows: [Row] = []
        for c in configs.sorted(by: { $0.createdAt < $1.createdAt }) {
            let explanations = try ExplanationRecord.filter(Column("config_id") == c.id).fetchAll(db).filter {
                filters.includes(track: $0.trackId)
            }
            for (target, group) in Dictionary(grouping: explanations, by: \.target).sorted(by: { $0.key < $1.key }) {
                guard let fidelity = SampleSummary(group.map(\.fidelity)) else { continue }
                let k = group.first?.componentCount ?? 0
                let complexities = group.compactMap(\.complexity)
                let paired = group.filter { $0.complexity != nil }
                let baseline = baselines[k]
                rows.append(
                    Row(
                        config: c, target: target, components: k, fidelity: fidelity, complexity: SampleSummary(complexities),
                        baselineMean: baseline?.mean, baselineStd: baseline?.std,
                        belowBaseline: baseline.map { b in
                            complexities.isEmpty
                                ? 0 : Double(complexities.filter { $0 < b.mean }.count) / Double(complexities.count)
                        },
                        correlation: SampleSummary.correlation(paired.map(\.fidelity), paired.compactMap(\.complexity))))
            }
        }
        guard !rows.isEmpty else {
            throw AnalysisError.missing("no explanations match the filters; run stemtrace explain --model FILE")
        }
        return rows
    }

    public static func run(_ db: Database, filters: QueryFilters) throws -> QueryTable {
        let rows = try rows(db, filters: filters)
        func n(_ v: Double?) -> QueryTable.Value { v.map(QueryTable.Value.number) ?? .missing }
        return QueryTable(
            title: "explanation quality: fidelity (weighted R²) and complexity (entropy) against the random baseline",
            columns: [
                "config", "model", "separator", "composition", "target", "n", "k", "fidelity median", "fidelity q1",
                "fidelity q3",
                "complexity mean", "complexity median", "baseline mean", "baseline std", "share below baseline",
                "r(fidelity, complexity)",
            ],
            rows: rows.map { r in
                [
                    .text(String(r.config.id.prefix(12))), .text(String(r.config.modelId.prefix(12))),
                    .text(r.config.separatorId),
                    .text(r.config.composition), .text(r.target), .integer(r.fidelity.count), .integer(r.components),
                    .number(r.fidelity.median),
                    .number(r.fidelity.lowerQuartile), .number(r.fidelity.upperQuartile), n(r.complexity?.mean),
                    n(r.complexity?.median),
                    n(r.baselineMean), n(r.baselineStd), n(r.belowBaseline), n(r.correlation),
                ]
            })
    }
}
