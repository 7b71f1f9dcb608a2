import Core
import Foundation
import GRDB
import Store

/// `stemtrace export --store DIR --output DIR`: every per-track result as CSV and JSON tables
/// (tracks with genres, tags, labels, predictions, effects, explanations, explanation weights)
/// plus per-genre aggregates, a data dictionary (`DATA_DICTIONARY.md`, `data_dictionary.json`)
/// that describes every file and column, and `PROVENANCE.json` (every run's provenance). Tables
/// with no rows are written with their header.
public enum StoreExport {
    /// One exported table and what its columns mean.
    public struct Table: Sendable {
        public var name: String
        public var description: String
        public var columns: [(name: String, meaning: String)]
        public var rows: [[QueryTable.Value]]
    }

    public struct Written: Sendable {
        public var directory: URL
        public var tables: [(name: String, rows: Int)]
    }

    public static func run(store url: URL, output: URL, filters: QueryFilters = QueryFilters()) throws -> Written {
        let store = try Store.open(at: url)
        let tables = try store.catalog.query { db in try Self.tables(db, filters: filters) }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        for t in tables {
            let q = QueryTable(title: t.name, columns: t.columns.map(\.name), rows: t.rows)
            try Data(q.render(.csv).utf8).write(to: output.appendingPathComponent("\(t.name).csv"))
            try Data(jsonRows(t).utf8).write(to: output.appendingPathComponent("\(t.name).json"))
        }
        try Data(dictionaryMarkdown(tables).utf8).write(to: output.appendingPathComponent("DATA_DICTIONARY.md"))
        try Data(dictionaryJSON(tables).utf8).write(to: output.appendingPathComponent("data_dictionary.json"))
        try Data(provenanceJSON(store).utf8).write(to: output.appendingPathComponent("PROVENANCE.json"))
        return Written(directory: output, tables: tables.map { ($0.name, $0.rows.count) })
    }

    /// `PROVENANCE.json`: every run of the store with what made it and what it wrote
    /// (`RunReport`: version, commit, libraries, host, CPU, threads, command line; rows per table).
    static func provenanceJSON(_ store: Store) throws -> String {
        let runs = try RunReport.all(store).map { try RunReport.load(store, run: $0.id) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(["runs": runs]), as: UTF8.self) + "\n"
    }

    /// Every table, read in one transaction.
    public static func tables(_ db: Database, filters: QueryFilters) throws -> [Table] {
        let genres = try GenreAssignment.load(db, rules: filters.genres)
        func keep(_ row: [QueryTable.Value]) -> Bool {
            guard case let .text(track) = row[0] else { return true }
            return filters.includes(track: track)
        }
        func sql(_ name: String, _ description: String, _ columns: [(String, String)], _ query: String) throws -> Table {
            let rows = try Row.fetchAll(db, sql: query).map { row in columns.indices.map { value(row[$0] as DatabaseValue) } }
            return Table(name: name, description: description, columns: columns, rows: rows.filter(keep))
        }
        var tables: [Table] = []
        let trackRows = try Row.fetchAll(
            db, sql: "SELECT id, source_path, duration_s, sample_rate, channels FROM tracks ORDER BY source_path")
        tables.append(
            Table(
                name: "tracks", description: "Every track with its genres (source: \(genres.resolvedSource)).",
                columns: [
                    ("track_id", "content hash of the decoded audio (XXH3-128)"), ("path", "first path it was ingested from"),
                    ("duration_s", "duration of the file in seconds"), ("sample_rate", "original sample rate, Hz"),
                    ("channels", "original channel count"), ("genres", "genres under the chosen genre source, ';'-separated"),
                ],
                rows: trackRows.map { r in
                    let id: String = r["id"]
                    return [
                        .text(id), .text(r["source_path"]), .number(r["duration_s"]), .integer(r["sample_rate"]),
                        .integer(r["channels"]),
                        .text((genres.genres[id] ?? [GenreRules.other]).joined(separator: ";")),
                    ]
                }.filter(keep)))
        tables.append(
            try sql(
                "tags", "Tags of each track with their source.",
                [
                    ("track_id", "track"), ("tag", "lower-cased tag"), ("source", "file, csv or musicnn:<model id>"),
                    ("score", "tagger probability (empty for given tags)"),
                ],
                "SELECT track_id, tag, source, score FROM tags ORDER BY track_id, source, score DESC"))
        tables.append(
            try sql(
                "labels", "Ground-truth labels, rescaled to [-1, 1].",
                [
                    ("track_id", "track"), ("name", "label name"), ("value", "label on [-1, 1]"),
                    ("raw_value", "label as imported"),
                    ("scale_min", "imported scale, maps to -1"), ("scale_max", "imported scale, maps to +1"),
                    ("source", "imported file"),
                ],
                "SELECT track_id, name, value, raw_value, scale_min, scale_max, source FROM labels ORDER BY track_id, name"))
        tables.append(
            try sql(
                "predictions", "Model predictions per excerpt (stemtrace infer).",
                [
                    ("track_id", "track"), ("excerpt_id", "excerpt"), ("model_id", "model content hash"),
                    ("kind", "concept or output"), ("name", "concept or output name"), ("value", "predicted value"),
                ],
                "SELECT track_id, excerpt_id, model_id, kind, name, value FROM predictions ORDER BY track_id, model_id, kind, name"
            ))
        tables.append(
            try sql(
                "effects",
                "The paper's effects: concept value × linear weight, and relative effect = effect / Σ|effects| of the output.",
                [
                    ("track_id", "track"), ("excerpt_id", "excerpt"), ("model_id", "model"), ("output", "emotion output"),
                    ("concept", "mid-level concept"),
                    ("concept_value", "predicted concept value"), ("weight", "linear weight joining concept to output"),
                    ("effect", "concept_value × weight"),
                    ("relative_effect", "effect / Σ|effect| over the concepts"),
                ],
                "SELECT track_id, excerpt_id, model_id, output, concept, concept_value, weight, effect, relative_effect FROM effects ORDER BY track_id, model_id, output, concept"
            ))
        tables.append(
            try sql(
                "explanations", "One audioLIME explanation per excerpt, target and explanation config.",
                [
                    ("track_id", "track"), ("excerpt_id", "excerpt"), ("config_id", "explanation config (settings hash)"),
                    ("model_id", "model"),
                    ("separator_id", "separator of the stems"), ("composition", "normalized, paper or raw"),
                    ("target", "explained target"),
                    ("target_kind", "concept or output"), ("prediction", "model value with every component kept"),
                    ("intercept", "LIME intercept"),
                    ("fidelity", "weighted R² of the local linear model"),
                    ("complexity", "entropy of |w|/Σ|w| (empty when all weights are 0)"),
                    ("local_prediction", "the linear model at the all-ones mask"),
                    ("top_source", "component with the largest positive weight"),
                    ("components", "number of components"), ("masks", "number of perturbations"),
                ],
                """
                SELECT e.track_id, e.excerpt_id, e.config_id, c.model_id, c.separator_id, c.composition, e.target, e.target_kind, e.prediction,
                e.intercept, e.fidelity, e.complexity, e.local_prediction, w.name, e.component_count, e.mask_count
                FROM explanations e JOIN explanation_configs c ON c.id = e.config_id
                LEFT JOIN explanation_weights w ON w.explanation_id = e.id AND w.component = e.top_component
                ORDER BY e.track_id, e.config_id, e.target
                """))
        tables.append(
            try sql(
                "explanation_weights", "The LIME weight of every component of every explanation.",
                [
                    ("track_id", "track"), ("config_id", "explanation config"), ("target", "explained target"),
                    ("component", "component index"),
                    ("name", "component name (stem, with the segment number when segmented)"), ("source", "stem"),
                    ("segment", "temporal segment"),
                    ("weight", "LIME coefficient"), ("rank", "1 = largest signed weight"),
                ],
                """
                SELECT e.track_id, e.config_id, e.target, w.component, w.name, w.source, w.segment, w.weight, w.rank
                FROM explanations e JOIN explanation_weights w ON w.explanation_id = e.id ORDER BY e.track_id, e.config_id, e.target, w.rank
                """))
        tables += try genreAggregates(db, genres: genres, filters: filters)
        return tables
    }

    /// Per-genre means of the relative effects and of the explanation weights and quality.
    static func genreAggregates(_ db: Database, genres: GenreAssignment, filters: QueryFilters) throws -> [Table] {
        struct Acc {
            var sum = 0.0
            var count = 0
            mutating func add(_ v: Double) {
                sum += v
                count += 1
            }
            var mean: Double { count > 0 ? sum / Double(count) : .nan }
        }
        var effects: [[String]: Acc] = [:]
        // Per key and track, the values behind each mean: the bootstrap resamples tracks.
        var effectTracks: [[String]: [String: Acc]] = [:]
        var weightTracks: [[String]: [String: Acc]] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT track_id, model_id, output, concept, relative_effect FROM effects") {
            let track: String = r["track_id"]
            guard filters.includes(track: track) else { continue }
            for g in genres.genres[track] ?? [GenreRules.other] {
                let key: [String] = [g, r["model_id"], r["output"], r["concept"]]
                effects[key, default: Acc()].add(r["relative_effect"])
                effectTracks[key, default: [:]][track, default: Acc()].add(r["relative_effect"])
            }
        }
        var weights: [[String]: Acc] = [:]
        var tops: [[String]: Int] = [:]
        var quality: [[String]: (fidelity: [Double], complexity: [Double])] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT config_id, track_id, target, source, weight FROM explanation_sources") {
            let track: String = r["track_id"]
            guard filters.includes(track: track) else { continue }
            for g in genres.genres[track] ?? [GenreRules.other] {
                let key: [String] = [g, r["config_id"], r["target"], r["source"]]
                weights[key, default: Acc()].add(r["weight"])
                weightTracks[key, default: [:]][track, default: Acc()].add(r["weight"])
            }
        }
        let explained = try Row.fetchAll(
            db,
            sql: """
                SELECT e.config_id, e.track_id, e.target, e.fidelity, e.complexity, w.source AS top FROM explanations e
                LEFT JOIN explanation_weights w ON w.explanation_id = e.id AND w.component = e.top_component
                """)
        for r in explained {
            let track: String = r["track_id"]
            guard filters.includes(track: track) else { continue }
            for g in genres.genres[track] ?? [GenreRules.other] {
                let key: [String] = [g, r["config_id"], r["target"]]
                quality[key, default: ([], [])].fidelity.append(r["fidelity"])
                if let c = r["complexity"] as Double? { quality[key, default: ([], [])].complexity.append(c) }
                if let top = r["top"] as String? { tops[key + [top], default: 0] += 1 }
            }
        }
        func n(_ d: Double) -> QueryTable.Value { d.isFinite ? .number(d) : .missing }
        /// The bootstrap interval over tracks of one key's mean (track means in track order).
        func interval(_ byTrack: [String: Acc]?, _ table: String, _ key: [String]) -> [QueryTable.Value] {
            let values = (byTrack ?? [:]).sorted { $0.key < $1.key }.map(\.value.mean)
            let i = filters.uncertainty.interval(values, stream: ([table] + key).joined(separator: "/"))
            return [i.map { .number($0.low) } ?? .missing, i.map { .number($0.high) } ?? .missing]
        }
        let effectRows = effects.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { k -> [QueryTable.Value] in
            let a = effects[k] ?? Acc()
            return k.map(QueryTable.Value.text) + [n(a.mean), .integer(a.count)] + interval(effectTracks[k], "genre_effects", k)
        }
        let weightRows = weights.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { k -> [QueryTable.Value] in
            let a = weights[k] ?? Acc()
            let explanations = quality[Array(k.prefix(3))]?.fidelity.count ?? 0
            let top = tops[k] ?? 0
            return k.map(QueryTable.Value.text) + [
                n(a.mean), .integer(top), n(explanations > 0 ? Double(top) / Double(explanations) : .nan), .integer(a.count),
            ] + interval(weightTracks[k], "genre_sources", k)
        }
        let qualityRows = quality.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { k -> [QueryTable.Value] in
            let q = quality[k] ?? ([], [])
            let f = SampleSummary(q.fidelity)
            let c = SampleSummary(q.complexity)
            return k.map(QueryTable.Value.text) + [
                n(f?.median ?? .nan), n(f?.lowerQuartile ?? .nan), n(f?.upperQuartile ?? .nan), n(c?.mean ?? .nan),
                .integer(q.fidelity.count),
            ]
        }
        return [
            Table(
                name: "genre_effects",
                description: "Mean relative effect of each concept on each output per genre (the paper's Figure 4).",
                columns: [
                    ("genre", "genre"), ("model_id", "model"), ("output", "emotion output"), ("concept", "mid-level concept"),
                    ("mean_relative_effect", "mean over the genre's excerpts"), ("excerpts", "number of excerpts"),
                    (
                        "ci_low",
                        "bootstrap interval of the mean over the genre's tracks (excerpts of a track averaged first): low"
                    ),
                    ("ci_high", "…: high (level, resamples and seed in the data dictionary's notes)"),
                ],
                rows: effectRows),
            Table(
                name: "genre_sources",
                description:
                    "Per genre, explanation config, target and source: mean LIME weight and how often the source is the top positive component.",
                columns: [
                    ("genre", "genre"), ("config_id", "explanation config"), ("target", "explained target"), ("source", "stem"),
                    ("mean_weight", "mean weight (summed over segments)"),
                    ("top_count", "explanations where it is the top positive component"),
                    ("top_share", "top_count / explanations of the genre"), ("explanations", "explanations averaged"),
                    ("ci_low", "bootstrap interval of the mean weight over the genre's tracks: low"), ("ci_high", "…: high"),
                ],
                rows: weightRows),
            Table(
                name: "genre_quality",
                description: "Per genre, explanation config and target: fidelity quartiles and mean complexity.",
                columns: [
                    ("genre", "genre"), ("config_id", "explanation config"), ("target", "explained target"),
                    ("fidelity_median", "median weighted R²"),
                    ("fidelity_q1", "lower quartile"), ("fidelity_q3", "upper quartile"), ("complexity_mean", "mean entropy"),
                    ("explanations", "explanations"),
                ],
                rows: qualityRows),
        ]
    }

    static func value(_ v: DatabaseValue) -> QueryTable.Value {
        switch v.storage {
        case .null: .missing
        case let .int64(i): .integer(Int(i))
        case let .double(d): .number(d)
        case let .string(s): .text(s)
        case .blob: .missing
        }
    }

    static func jsonRows(_ t: Table) -> String {
        let q = QueryTable(title: t.name, columns: t.columns.map(\.name), rows: t.rows, notes: [t.description])
        return q.render(.json)
    }

    static func dictionaryMarkdown(_ tables: [Table]) -> String {
        var out = [
            "# Data dictionary", "", "Every table is written as `NAME.csv` and `NAME.json` (`rows`: one object per row).", "",
        ]
        for t in tables {
            out += ["## \(t.name)", "", t.description, "", "| column | meaning |", "| --- | --- |"]
            out += t.columns.map { "| `\($0.name)` | \($0.meaning) |" }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func dictionaryJSON(_ tables: [Table]) -> String {
        let object = tables.map { t in
            [
                "name": t.name, "description": t.description,
                "columns": t.columns.map { ["name": $0.name, "meaning": $0.meaning] },
            ] as [String: Any]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
