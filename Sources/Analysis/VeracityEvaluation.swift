import Foundation
import GRDB
import Store

/// `stemtrace eval-veracity`: do explanations point at the stem that truly generated a label?
///
/// On a corpus whose mid-level labels are known functions of single stems (made by
/// `tools/make_veracity_corpus`, which writes `truth.csv`: `label,stem`), every stored
/// explanation of such a label counts as a hit when its top positive component comes from the
/// generating stem. A separator without that stem (the built-in one has no piano) is scored
/// against the stem that holds it (`other`). Held-out tracks only by default: tracks with no
/// stored labels, i.e. not used by `stemtrace train`. The random-attribution baseline is the
/// chance that a component drawn uniformly is from the generating stem (stems / components).
public enum VeracityEvaluation {
    public struct Row: Sendable, Equatable {
        public var config: String
        public var separator: String
        public var label: String
        public var stem: String
        public var explanations: Int
        /// Explanations whose largest positive weight is on the generating stem.
        public var hits: Int
        /// Explanations whose largest |weight| is on the generating stem (a label can also be
        /// driven by a stem whose presence lowers the prediction).
        public var magnitudeHits: Int
        public var baseline: Double
        /// The explained model's cross-validated R² for this label, when its file carries a
        /// `stemtrace train` report: veracity only means something where the model learned the label.
        public var modelR2: Double? = nil
        public var share: Double { explanations > 0 ? Double(hits) / Double(explanations) : .nan }
    }

    /// P(X ≥ hits) for X ~ Binomial(explanations, baseline): how likely chance attribution is to
    /// find the generating stem at least this often (one-sided; 1 when hits is 0, NaN without
    /// explanations). Summed in log space with log-factorials, so any n is safe.
    public static func chanceProbability(hits: Int, explanations n: Int, baseline p: Double) -> Double {
        guard n > 0, p.isFinite else { return .nan }
        guard hits > 0 else { return 1 }
        guard hits <= n, p > 0 else { return 0 }
        guard p < 1 else { return 1 }
        let logP = log(p)
        let logQ = log1p(-p)
        var logFactorial = [Double](repeating: 0, count: n + 1)
        for i in stride(from: 1, through: n, by: 1) { logFactorial[i] = logFactorial[i - 1] + log(Double(i)) }
        var terms: [Double] = []
        for i in hits...n {
            terms.append(
                logFactorial[n] - logFactorial[i] - logFactorial[n - i] + Double(i) * logP + Double(n - i) * logQ)
        }
        let top = terms.max() ?? 0
        return min(1, exp(top) * terms.reduce(0) { $0 + exp($1 - top) })
    }

    /// Mean cross-validated R² per mid-level target from the training report a model file
    /// written by `stemtrace train` carries in its metadata (`report` → `midlevel` → `targets`);
    /// empty for any other model.
    static func crossValidatedR2(_ db: Database, model: String) throws -> [String: Double] {
        guard let text = try String.fetchOne(db, sql: "SELECT metadata FROM models WHERE id = ?", arguments: [model]),
            let metadata = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let reportText = metadata["report"] as? String,
            let report = try? JSONSerialization.jsonObject(with: Data(reportText.utf8)) as? [String: Any],
            let midlevel = report["midlevel"] as? [String: Any], let targets = midlevel["targets"] as? [[String: Any]]
        else { return [:] }
        var out: [String: Double] = [:]
        for t in targets {
            if let name = t["name"] as? String, let r2 = t["r2Mean"] as? Double { out[name] = r2 }
        }
        return out
    }

    /// Reads `label,stem` rows.
    public static func truth(contentsOf url: URL) throws -> [String: String] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AnalysisError.invalidOption("\(url.path): cannot read the truth table: \(error.localizedDescription)")
        }
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let parts = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count >= 2 else { continue }
            out[parts[0]] = parts[1]
        }
        guard !out.isEmpty else { throw AnalysisError.invalidOption("\(url.path): no 'label,stem' rows") }
        return out
    }

    public static func rows(
        _ db: Database, truth: [String: String], heldOutOnly: Bool = true, filters: QueryFilters = QueryFilters()
    )
        throws -> [Row]
    {
        let labelled = Set(try String.fetchAll(db, sql: "SELECT DISTINCT track_id FROM labels"))
        let configs = try ExplanationConfigRecord.fetchAll(db).filter {
            $0.modelId.hasPrefix(filters.model ?? "") && $0.separatorId.hasPrefix(filters.separator ?? "")
                && $0.id.hasPrefix(filters.config ?? "")
        }
        var rows: [Row] = []
        for config in configs.sorted(by: { $0.separatorId < $1.separatorId }) {
            let explanations = try ExplanationRecord.filter(
                Column("config_id") == config.id && truth.keys.contains(Column("target"))
            ).fetchAll(db)
                .filter { (!heldOutOnly || !labelled.contains($0.trackId)) && filters.includes(track: $0.trackId) }
            guard !explanations.isEmpty else { continue }
            let learned = try crossValidatedR2(db, model: config.modelId)
            let ids = explanations.compactMap(\.id)
            let weights = Dictionary(
                grouping: try ExplanationWeightRecord.filter(ids.contains(Column("explanation_id"))).fetchAll(db),
                by: \.explanationId)
            for (label, group) in Dictionary(grouping: explanations, by: \.target).sorted(by: { $0.key < $1.key }) {
                guard let wanted = truth[label] else { continue }
                var hits = 0
                var magnitudeHits = 0
                var baseline = 0.0
                var stem = wanted
                for e in group {
                    let w = weights[e.id ?? -1] ?? []
                    let sources = Set(w.map(\.source))
                    stem = sources.contains(wanted) ? wanted : (sources.contains("other") ? "other" : wanted)
                    let fromStem = w.filter { $0.source == stem }.count
                    baseline += w.isEmpty ? 0 : Double(fromStem) / Double(w.count)
                    if let top = e.topComponent, w.first(where: { $0.component == top })?.source == stem { hits += 1 }
                    if let largest = w.max(by: { abs($0.weight) < abs($1.weight) }), largest.source == stem { magnitudeHits += 1 }
                }
                rows.append(
                    Row(
                        config: config.id, separator: config.separatorId, label: label, stem: stem, explanations: group.count,
                        hits: hits, magnitudeHits: magnitudeHits, baseline: baseline / Double(group.count),
                        modelR2: learned[label]))
            }
        }
        guard !rows.isEmpty else {
            throw AnalysisError.missing(
                "no \(heldOutOnly ? "held-out (unlabelled) " : "")explanations of the truth table's labels (\(truth.keys.sorted().joined(separator: ", "))); run stemtrace explain first"
            )
        }
        return rows
    }

    /// One row per separator and label, then per separator an `all` row and, when the model's
    /// training report is known, a `learned (R² > 0)` row over the labels the model predicts
    /// better than their mean.
    public static func table(_ rows: [Row]) -> QueryTable {
        func r2(_ value: Double?) -> QueryTable.Value { value.map { .number($0) } ?? .missing }
        var out = rows.map { r -> [QueryTable.Value] in
            [
                .text(r.separator), .text(r.label), .text(r.stem), .integer(r.explanations), .integer(r.hits), .number(r.share),
                .number(Double(r.magnitudeHits) / Double(max(r.explanations, 1))), .number(r.baseline),
                .probability(chanceProbability(hits: r.magnitudeHits, explanations: r.explanations, baseline: r.baseline)),
                r2(r.modelR2),
            ]
        }
        func total(_ separator: String, _ name: String, _ group: [Row]) -> [QueryTable.Value] {
            let n = group.reduce(0) { $0 + $1.explanations }
            let hits = group.reduce(0) { $0 + $1.hits }
            let magnitude = group.reduce(0) { $0 + $1.magnitudeHits }
            let baseline = group.reduce(0.0) { $0 + $1.baseline * Double($1.explanations) } / Double(max(n, 1))
            return [
                .text(separator), .text(name), .text(""), .integer(n), .integer(hits), .number(Double(hits) / Double(max(n, 1))),
                .number(Double(magnitude) / Double(max(n, 1))), .number(baseline),
                .probability(chanceProbability(hits: magnitude, explanations: n, baseline: baseline)), .missing,
            ]
        }
        for (separator, group) in Dictionary(grouping: rows, by: \.separator).sorted(by: { $0.key < $1.key }) {
            out.append(total(separator, "all", group))
            let learned = group.filter { ($0.modelR2 ?? 0) > 0 }
            if group.contains(where: { $0.modelR2 != nil }), !learned.isEmpty {
                out.append(total(separator, "learned (R² > 0)", learned))
            }
        }
        return QueryTable(
            title: "veracity: share of explanations whose top source is the stem that generated the label",
            columns: [
                "separator", "label", "true stem", "explanations", "hits", "share (top positive)", "share (top |weight|)",
                "random baseline", "p (|weight| hits by chance)", "model R² (CV)",
            ],
            rows: out)
    }
}
