import GRDB
import Store

/// Filters every query takes: how genres are assigned, which model, separator and explanation
/// setting, and which tracks. Prefixes are accepted for ids.
public struct QueryFilters: Sendable, Equatable {
    public var genres = GenreRules()
    /// Model id (or prefix) of the predictions, effects or explanations.
    public var model: String?
    /// Separator id or name prefix of the explanations' stems.
    public var separator: String?
    /// Explanation config id (or prefix).
    public var config: String?
    /// Explanation composition (`normalized`, `paper`, `raw`).
    public var composition: String?
    /// Track id prefixes; empty means every track.
    public var tracks: [String] = []
    /// Bootstrap intervals and permutation tests of the per-genre figures.
    public var uncertainty = UncertaintySettings()

    public init() {}

    /// Whether a track passes the `--track` filter.
    public func includes(track: String) -> Bool { tracks.isEmpty || tracks.contains { track.hasPrefix($0) } }

    /// The one model with effects (for `output`) that matches the filter.
    func effectsModel(_ db: Database, output: String) throws -> String {
        let models = try String.fetchAll(
            db, sql: "SELECT DISTINCT model_id FROM effects WHERE model_id LIKE ? \(LikePattern.escapeClause)",
            arguments: [LikePattern.prefix(model ?? "")])
        guard !models.isEmpty else {
            throw AnalysisError.missing(
                "no effects" + (model.map { " for model \($0)" } ?? "") + " in this store; run stemtrace infer --model FILE")
        }
        guard models.count == 1 else {
            throw AnalysisError.ambiguous(what: "models with effects (use --model)", candidates: models)
        }
        let outputs = try String.fetchAll(
            db, sql: "SELECT DISTINCT output FROM effects WHERE model_id = ?", arguments: [models[0]])
        guard outputs.contains(output) else { throw AnalysisError.unknown(what: "emotion output", value: output, known: outputs) }
        return models[0]
    }

    /// The one model with predictions of `target` that matches the filter.
    func predictionModel(_ db: Database, target: String) throws -> String {
        let models = try String.fetchAll(
            db, sql: "SELECT DISTINCT model_id FROM predictions WHERE model_id LIKE ? \(LikePattern.escapeClause) AND name = ?",
            arguments: [LikePattern.prefix(model ?? ""), target])
        guard !models.isEmpty else {
            throw AnalysisError.missing(
                "no predictions of '\(target)'" + (model.map { " by model \($0)" } ?? "") + "; run stemtrace infer --model FILE")
        }
        guard models.count == 1 else {
            throw AnalysisError.ambiguous(what: "models with predictions (use --model)", candidates: models)
        }
        return models[0]
    }

    /// The one explanation config that explains `target` (or, with `chains`, has two-level chains
    /// of the output `target`) and matches the filters.
    func explanationConfig(_ db: Database, target: String, chains: Bool = false) throws -> ExplanationConfigRecord {
        let join =
            chains
            ? "explanation_chains e ON e.config_id = c.id WHERE e.output = ?"
            : "explanations e ON e.config_id = c.id WHERE e.target = ?"
        var sql = """
            SELECT DISTINCT c.* FROM explanation_configs c JOIN \(join)
            AND c.id LIKE ? \(LikePattern.escapeClause) AND c.model_id LIKE ? \(LikePattern.escapeClause)
            AND c.separator_id LIKE ? \(LikePattern.escapeClause)
            """
        var arguments: [any DatabaseValueConvertible] = [
            target, LikePattern.prefix(config ?? ""), LikePattern.prefix(model ?? ""), LikePattern.prefix(separator ?? ""),
        ]
        if let composition {
            sql += " AND c.composition = ?"
            arguments.append(composition)
        }
        var configs = try ExplanationConfigRecord.fetchAll(
            db, sql: sql + " ORDER BY c.created_at", arguments: StatementArguments(arguments))
        // The SQL prefix match is a superset: an exact separator name narrows it (`SeparatorSelector`).
        let chosen = Set(SeparatorSelector.matching(configs.map(\.separatorId), separator))
        configs = configs.filter { chosen.contains($0.separatorId) }
        guard !configs.isEmpty else {
            let targets = try String.fetchAll(
                db,
                sql: chains
                    ? "SELECT DISTINCT output FROM explanation_chains ORDER BY output"
                    : "SELECT DISTINCT target FROM explanations ORDER BY target")
            if targets.isEmpty {
                throw AnalysisError.missing("no explanations in this store; run stemtrace explain --model FILE")
            }
            if !targets.contains(target) { throw AnalysisError.unknown(what: "explained target", value: target, known: targets) }
            throw AnalysisError.missing(
                "no explanations of '\(target)' match the filters (model \(model ?? "any"), separator \(separator ?? "any"), "
                    + "composition \(composition ?? "any"), config \(config ?? "any")); run stemtrace explain with those settings"
            )
        }
        guard configs.count == 1 else {
            throw AnalysisError.ambiguous(
                what: "explanation settings (use --config, --model, --separator or --composition)",
                candidates: configs.map {
                    "\($0.id.prefix(12)): model \($0.modelId.prefix(12)), \($0.separatorId), \($0.composition), segments \($0.segments)"
                })
        }
        return configs[0]
    }
}
