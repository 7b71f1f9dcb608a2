import Core
import Foundation
import GRDB
import Plots
import Store

/// The HTML of `stemtrace report`: one static page per store, readable offline — styles and
/// plots (SVG) inline, no script, no network. Audio players point at files beside the page
/// (`audio/…`), which `ReportStage` writes. Sections without data say which command makes it.
public struct ReportPage: Sendable {
    /// Listenable evidence for one track, as relative paths.
    public struct TrackAudio: Sendable {
        public var trackId: String
        public var title: String
        public var genre: String
        /// (label, relative path), e.g. ("excerpt", "audio/ab12/excerpt.ogg").
        public var files: [(label: String, path: String)]
        /// What the explanation audio is, e.g. "valence ← tonal_stability ← drums + bass".
        public var caption: String

        public init(trackId: String, title: String, genre: String, files: [(label: String, path: String)], caption: String) {
            self.trackId = trackId
            self.title = title
            self.genre = genre
            self.files = files
            self.caption = caption
        }
    }

    public var filters: QueryFilters
    /// Genres shown (most tracks first), at most this many.
    public var genreLimit = 12

    public init(filters: QueryFilters = QueryFilters()) { self.filters = filters }

    /// The page for the store read through `db`, with audio players for `audio`.
    /// The page for an open store, read through its read-only catalog.
    public func html(store: Store, storeName: String, audio: [TrackAudio]) throws -> String {
        try store.catalog.query { db in try html(db, storeName: storeName, audio: audio) }
    }

    public func html(_ db: Database, storeName: String, audio: [TrackAudio]) throws -> String {
        let genres = try GenreAssignment.load(db, rules: filters.genres)
        var body: [String] = []
        let counts = try Row.fetchOne(
            db,
            sql: """
                SELECT (SELECT COUNT(*) FROM tracks) AS tracks, (SELECT COUNT(*) FROM excerpts) AS excerpts,
                (SELECT COUNT(*) FROM models) AS models, (SELECT COUNT(*) FROM explanation_configs) AS configs,
                (SELECT COUNT(*) FROM explanations) AS explanations, (SELECT COUNT(*) FROM labels) AS labels
                """)
        let byGenre = Dictionary(grouping: genres.genres.flatMap { t, gs in gs.map { ($0, t) } }, by: \.0).mapValues(\.count)
        let shownGenres = byGenre.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(genreLimit).map(\.key)
        body.append("<h1>stemtrace report: \(esc(storeName))</h1>")
        body.append(
            "<p class=\"summary\">\(counts?["tracks"] as Int? ?? 0) tracks, \(counts?["excerpts"] as Int? ?? 0) excerpts, "
                + "\(counts?["models"] as Int? ?? 0) models, \(counts?["explanations"] as Int? ?? 0) explanations "
                + "(\(counts?["configs"] as Int? ?? 0) settings), \(counts?["labels"] as Int? ?? 0) labels. Genres from "
                + "\(esc(genres.resolvedSource.description)) tags: "
                + byGenre.sorted { $0.key < $1.key }.map { "\(esc($0.key)) (\($0.value))" }.joined(separator: ", ") + ".</p>")
        body.append(contentsOf: try qualitySection(db))
        for genre in shownGenres {
            body.append(contentsOf: try genreSection(db, genre: genre, audio: audio.filter { $0.genre == genre }))
        }
        body.append(contentsOf: try errorsSection(db, genres: shownGenres))
        return Self.document(title: "stemtrace report: \(storeName)", body: body)
    }

    // MARK: Sections

    func qualitySection(_ db: Database) throws -> [String] {
        var out = ["<section id=\"quality\"><h2>Explanation quality</h2>"]
        let rows: [QualityQuery.Row]
        do { rows = try QualityQuery.rows(db, filters: filters) } catch let error as AnalysisError {
            return out + ["<p class=\"missing\">\(esc(error.description))</p></section>"]
        }
        out.append(table(try QualityQuery.run(db, filters: filters)))
        for (config, group) in Dictionary(grouping: rows, by: { $0.config.id }).sorted(by: { $0.key < $1.key }) {
            guard let first = group.first else { continue }
            let explanations = try ExplanationRecord.filter(Column("config_id") == config).fetchAll(db)
                .filter { filters.includes(track: $0.trackId) }
            let fidelity = explanations.map(\.fidelity)
            let complexity = explanations.compactMap(\.complexity)
            let k = first.components
            let name = "\(try modelName(db, first.config.modelId)), \(first.config.separatorId), \(first.config.composition)"
            if let lo = fidelity.min(), let hi = fidelity.max() {
                out.append(
                    figure(
                        try Histogram(
                            title: "Fidelity (weighted R²), \(name)", values: fidelity, range: min(lo, 0)...max(hi, 1),
                            binCount: 20,
                            xLabel: "fidelity", yLabel: "explanations"
                        ).svgDocument().render(xmlDeclaration: false)))
            }
            if !complexity.isEmpty {
                let band = try first.baselineMean.flatMap { m in
                    try first.baselineStd.map { s in
                        try Histogram.Band(lower: m - s, upper: m + s, label: "random baseline, mean ± std")
                    }
                }
                out.append(
                    figure(
                        try Histogram(
                            title: "Complexity (entropy of |w|/Σ|w|), \(name)", values: complexity,
                            range: 0...max(log(Double(max(k, 2))), 0.1),
                            binCount: 20, band: band,
                            xLabel: "complexity (nats; ln \(k) = \(String(format: "%.2f", log(Double(k)))) at most)",
                            yLabel: "explanations"
                        ).svgDocument().render(xmlDeclaration: false)))
                let paired = explanations.filter { $0.complexity != nil }
                let r = SampleSummary.correlation(paired.map(\.fidelity), paired.compactMap(\.complexity))
                out.append(
                    figure(
                        ScatterPlot(
                            title: "Fidelity vs complexity, \(name)",
                            series: [
                                try ScatterPlot.Series(
                                    name: "explanations", x: paired.compactMap(\.complexity), y: paired.map(\.fidelity))
                            ],
                            xLabel: "complexity", yLabel: "fidelity", annotation: r.map { String(format: "r = %.2f", $0) }
                        ).svgDocument().render(xmlDeclaration: false)))
            }
        }
        return out + ["</section>"]
    }

    /// "model NAME (id prefix)", with ", a demonstration model" when it is one (`ModelLabel`).
    func modelName(_ db: Database, _ id: String) throws -> String {
        guard let record = try ModelRecord.fetchOne(db, key: id) else { return "model \(id.prefix(12))" }
        return "model " + ModelLabel(record).text
    }

    /// A query interval as a chart's error bar.
    static func bar(_ interval: Interval?) -> BarChart.ErrorBar? { interval.map { .init(low: $0.low, high: $0.high) } }

    func genreSection(_ db: Database, genre: String, audio: [TrackAudio]) throws -> [String] {
        var out = ["<section class=\"genre\" id=\"genre-\(esc(anchor(genre)))\"><h2>\(esc(genre))</h2>"]
        for target in ["valence", "arousal"] {
            do {
                let (model, rows, _) = try EffectsQuery.rows(db, filters: filters, genre: genre, target: target)
                let chart = try BarChart(
                    title: "Mean relative effect on \(target): \(genre) vs other genres (\(try modelName(db, model)))",
                    categories: rows.map(\.concept),
                    series: [
                        .init(
                            name: genre, values: rows.map { $0.genreMean ?? 0 },
                            intervals: rows.map { Self.bar($0.genreInterval) }),
                        .init(
                            name: "other genres", values: rows.map { $0.restMean ?? 0 },
                            intervals: rows.map { Self.bar($0.restInterval) }),
                    ],
                    orientation: .horizontal,
                    valueLabel: "mean relative effect (bars: \(filters.uncertainty.levelText) intervals)")
                out.append(figure(chart.svgDocument().render(xmlDeclaration: false)))
            } catch let error as AnalysisError {
                out.append("<p class=\"missing\">\(esc(target)) effects: \(esc(error.description))</p>")
            }
            do {
                let chain = try ChainQuery.run(db, filters: filters, genre: genre, target: target)
                out.append(table(chain))
                let (_, rows, _, _) = try ChainQuery.rows(db, filters: filters, genre: genre, target: target)
                if let concept = rows.first?.concept,
                    let sources = try? SourcesQuery.result(db, filters: filters, genre: genre, feature: concept)
                {
                    let chart = try BarChart(
                        title: "Sources of \(concept) in \(genre): mean LIME weight and top-source share",
                        categories: sources.rows.map(\.source),
                        series: [
                            .init(
                                name: "mean weight", values: sources.rows.map(\.meanWeight),
                                intervals: sources.rows.map { Self.bar($0.weightInterval) }),
                            .init(
                                name: "top share", values: sources.rows.map(\.topShare),
                                intervals: sources.rows.map { Self.bar($0.topShareInterval) }),
                        ],
                        valueLabel: "weight / share (bars: \(filters.uncertainty.levelText) intervals)")
                    out.append(figure(chart.svgDocument().render(xmlDeclaration: false)))
                }
            } catch let error as AnalysisError {
                out.append("<p class=\"missing\">\(esc(target)) chain: \(esc(error.description))</p>")
            }
        }
        for track in audio {
            out.append("<div class=\"track\"><h3>\(esc(track.title))</h3><p>\(esc(track.caption))</p>")
            for file in track.files {
                out.append(
                    "<figure class=\"audio\"><figcaption>\(esc(file.label))</figcaption><audio controls preload=\"none\" src=\"\(esc(file.path))\"></audio></figure>"
                )
            }
            out.append("</div>")
        }
        return out + ["</section>"]
    }

    func errorsSection(_ db: Database, genres: [String]) throws -> [String] {
        var out = ["<section id=\"errors\"><h2>Prediction errors by genre</h2>"]
        for target in ["valence", "arousal"] {
            var series: [LineChart.Series] = []
            var means: QueryTable?
            for genre in genres {
                do {
                    let r = try ErrorsQuery.result(db, filters: filters, target: target, genre: genre, quantiles: 10)
                    if r.genreTotal > 0 {
                        series.append(
                            try LineChart.Series(
                                name: genre, x: r.bins.map { Double($0.index) },
                                y: r.bins.map { Double($0.genreTracks) / Double(r.genreTotal) }))
                    }
                    if means == nil {
                        means = try ErrorsQuery.run(db, filters: filters, target: target, genre: genre, quantiles: 10).last
                    }
                } catch let error as AnalysisError {
                    out.append("<p class=\"missing\">\(esc(target)): \(esc(error.description))</p>")
                    break
                }
            }
            if !series.isEmpty {
                out.append(
                    figure(
                        try LineChart(
                            title: "Share of each genre's tracks per \(target) error decile (prediction − label)", series: series,
                            xLabel: "error decile (1 = most under-estimated)", yLabel: "share of the genre's tracks",
                            reference: try LineChart.ReferenceLine(value: 0.1, label: "no association")
                        ).svgDocument().render(xmlDeclaration: false)))
            }
            if let means { out.append(table(means)) }
        }
        return out + ["</section>"]
    }

    // MARK: HTML

    func figure(_ svg: String) -> String { "<figure class=\"plot\">\(svg)</figure>" }

    func table(_ t: QueryTable) -> String {
        var out = ["<table><caption>\(esc(t.title))</caption><thead><tr>"]
        out.append(t.columns.map { "<th>\(esc($0))</th>" }.joined())
        out.append("</tr></thead><tbody>")
        for row in t.rows { out.append("<tr>" + row.map { "<td>\(esc($0.display))</td>" }.joined() + "</tr>") }
        out.append("</tbody></table>")
        out += t.notes.map { "<p class=\"note\">\(esc($0))</p>" }
        return out.joined()
    }

    func esc(_ s: String) -> String { XMLEscaping.escaped(s) }

    func anchor(_ s: String) -> String { String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }) }

    static func document(title: String, body: [String]) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(XMLEscaping.escaped(title))</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
        h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
        th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; }
        caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
        figure.plot { margin: 1em 0; } figure.plot svg { max-width: 100%; height: auto; }
        figure.audio { display: inline-block; margin: 0.3em 1em 0.3em 0; }
        .missing { color: #a15c00; } .note { color: #555; font-size: 0.85em; }
        </style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }
}
