import Core
import Foundation
import GRDB
import Store
import TestSupport
import Testing

@testable import Analysis

/// Every query on `AnalysisStore`, whose answers are worked out by hand in its doc comment.
@Suite struct QueryTests {
    let store: Store

    init() throws { store = try Store.open(at: try AnalysisStore.make()) }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T { try store.catalog.query(body) }

    static func filters(_ change: (inout QueryFilters) -> Void = { _ in }) -> QueryFilters {
        var f = QueryFilters()
        change(&f)
        return f
    }

    @Test func genresFromCsvAndFromMusicnnWithItsThreshold() throws {
        let csv = try read { try GenreAssignment.load($0, rules: GenreRules(source: .csv)) }
        #expect(csv.genres == ["t1": ["hiphop"], "t2": ["hiphop"], "t3": ["rock"], "t4": ["other"]])
        let auto = try read { try GenreAssignment.load($0, rules: GenreRules()) }
        #expect(auto.resolvedSource == .csv)
        let musicnn = try read { try GenreAssignment.load($0, rules: GenreRules(source: .musicnn(model: "m"))) }
        #expect(musicnn.genres == ["t1": ["hip-hop"], "t2": ["other"], "t3": ["rock"], "t4": ["other"]])
        let strict = try read { try GenreAssignment.load($0, rules: GenreRules(source: .musicnn(model: nil), threshold: 0.65)) }
        #expect(strict.genres["t1"] == ["other"] && strict.genres["t3"] == ["rock"])
        #expect(throws: AnalysisError.self) { try csv.require("jazz") }
    }

    @Test func effectsOfAGenreAgainstTheRest() throws {
        let filters = Self.filters { $0.model = "modelA" }
        let (model, rows, _) = try read { try EffectsQuery.rows($0, filters: filters, genre: "hiphop", target: "valence") }
        #expect(model == "modelA")
        let c1 = try #require(rows.first { $0.concept == "c1" })
        let c2 = try #require(rows.first { $0.concept == "c2" })
        #expect(abs((c1.genreMean ?? 0) - 0.3) < 1e-12 && abs((c1.restMean ?? 0) - 0.1) < 1e-12)
        #expect(abs((c2.genreMean ?? 0) - 0.2) < 1e-12 && abs((c2.restMean ?? 0) - 0.7) < 1e-12)
        #expect(c1.genreTracks == 2 && c1.restTracks == 2)
        // Two models have effects: the query must be told which.
        #expect(throws: AnalysisError.self) {
            try read { try EffectsQuery.rows($0, filters: QueryFilters(), genre: "hiphop", target: "valence") }
        }
        #expect(throws: AnalysisError.self) {
            try read { try EffectsQuery.rows($0, filters: filters, genre: "hiphop", target: "dominance") }
        }
    }

    @Test func sourcesOfAFeatureInAGenre() throws {
        let filters = Self.filters { $0.composition = "normalized" }
        let r = try read { try SourcesQuery.result($0, filters: filters, genre: "hiphop", feature: "rhythm_stability") }
        let vocals = try #require(r.rows.first { $0.source == "vocals" })
        let drums = try #require(r.rows.first { $0.source == "drums" })
        #expect(abs(vocals.meanWeight - 0.2) < 1e-12 && abs(drums.meanWeight - 0.4) < 1e-12)
        #expect(vocals.topShare == 0.5 && drums.topShare == 0.5)
        #expect(drums.topFidelity?.median == 0.9 && vocals.topFidelity?.median == 0.5)
        #expect(r.fidelity?.median == 0.7)
        // Intervals over hip-hop's two tracks (one explanation each): 1000 resamples reach both
        // single values, so each interval is [min, max] of the two tracks' figures; one track's
        // top source is vocals, the other's drums, so both top shares span [0, 1].
        let perTrack = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.track_id, w.source, SUM(w.weight) AS weight FROM explanation_weights w
                    JOIN explanations e ON e.id = w.explanation_id WHERE e.config_id = ? AND e.target = 'rhythm_stability'
                    AND e.track_id IN ('t1', 't2') GROUP BY e.track_id, w.source
                    """, arguments: [r.config.id]
            ).map { (source: $0["source"] as String, weight: $0["weight"] as Double) }
        }
        for row in [vocals, drums] {
            let values = perTrack.filter { $0.source == row.source }.map(\.weight)
            let expected = Interval(low: values.count == 2 ? values.min() ?? 0 : 0, high: values.max() ?? 0)
            #expect(row.weightInterval == expected, "\(row.source): \(values)")
            #expect(row.topShareInterval == Interval(low: 0, high: 1))
            #expect(row.pValue.map { $0 > 0 && $0 <= 1 } == true && (row.qValue ?? 0) >= (row.pValue ?? 1))
        }
        // Two configs explain rhythm_stability: without a filter the query refuses to guess.
        #expect(throws: AnalysisError.self) {
            try read { try SourcesQuery.result($0, filters: QueryFilters(), genre: "hiphop", feature: "rhythm_stability") }
        }
        let rock = try read { try SourcesQuery.result($0, filters: filters, genre: "rock", feature: "rhythm_stability") }
        #expect(rock.rows.first?.source == "drums" && rock.rows.first?.topShare == 1)
    }

    @Test func chainCountsConceptsAndTheirTopSources() throws {
        let all = try read { try ChainQuery.rows($0, filters: QueryFilters(), genre: "hiphop", target: "valence") }
        #expect(all.tracks == 2)
        #expect(
            Set(all.rows.map { "\($0.concept)/\($0.source)/\($0.sourceTracks)" }) == [
                "rhythm_stability/drums/1", "rhythm_stability/vocals/1",
            ])
        let off = Self.filters { $0.uncertainty = UncertaintySettings(resamples: 0, permutations: 0) }
        let bare = try read { try ChainQuery.rows($0, filters: off, genre: "other", target: "valence") }
        #expect(
            bare.rows == [
                ChainQuery.Row(concept: "c9", conceptTracks: 1, source: "not explained", sourceTracks: 1, restConceptShare: 0)
            ])
        // With intervals and tests: the one "other" track's top concept is always c9 (share 1), no
        // other track's is (rest share 0); of the 4 ways to pick one track of four, only that
        // one reaches the observed difference of 1: p = 1/4 exactly.
        let other = try read { try ChainQuery.rows($0, filters: QueryFilters(), genre: "other", target: "valence") }
        let row = try #require(other.rows.first)
        #expect(row.conceptShareInterval == Interval(low: 1, high: 1) && row.restConceptShare == 0)
        #expect(row.conceptPValue == 0.25 && row.conceptQValue == 0.25)
        #expect(row.sourceShareInterval == Interval(low: 1, high: 1))
    }

    @Test func errorQuantilesAndMeanErrorPerGenre() throws {
        let r = try read { try ErrorsQuery.result($0, filters: QueryFilters(), target: "valence", genre: "hiphop", quantiles: 2) }
        #expect(r.bins.map(\.lower) == [-0.5, -0.25] && r.bins.map(\.upper) == [-0.25, 0.5])
        #expect(r.bins.map(\.tracks) == [2, 2] && r.bins.map(\.genreTracks) == [1, 1])
        let means = Dictionary(uniqueKeysWithValues: r.meanError.map { ($0.genre, $0.mean) })
        #expect(means == ["hiphop": 0, "rock": -0.5, "other": 0])
        // Intervals and exact tests of every genre against the rest, from the errors computed here.
        let errors: [String: Double] = try read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(
                    db,
                    sql: """
                        SELECT p.track_id AS track, AVG(p.value) - AVG(l.value) AS error FROM predictions p
                        JOIN labels l ON l.track_id = p.track_id AND l.name = p.name WHERE p.name = 'valence' GROUP BY p.track_id
                        """
                ).map { ($0["track"] as String, $0["error"] as Double) })
        }
        let genreOf = ["t1": "hiphop", "t2": "hiphop", "t3": "rock", "t4": "other"]
        for e in r.meanError {
            let inside = errors.filter { genreOf[$0.key] == e.genre }.map(\.value)
            let outside = errors.filter { genreOf[$0.key] != e.genre }.map(\.value)
            #expect(e.interval == Interval(low: inside.min() ?? 0, high: inside.max() ?? 0), "\(e.genre)")
            // Every split of the 4 tracks into |inside| and the rest, by bit masks.
            let all: [Double] = inside + outside
            let total: Double = all.reduce(0, +)
            let insideMean: Double = inside.reduce(0, +) / Double(inside.count)
            let outsideMean: Double = outside.reduce(0, +) / Double(outside.count)
            let observed: Double = abs(insideMean - outsideMean)
            var hits = 0
            var splits = 0
            for mask in 0..<(1 << all.count) where mask.nonzeroBitCount == inside.count {
                let chosen: [Int] = all.indices.filter { mask & (1 << $0) != 0 }
                let a: Double = chosen.reduce(0.0) { $0 + all[$1] }
                let difference: Double = a / Double(inside.count) - (total - a) / Double(outside.count)
                if abs(difference) >= observed - 1e-12 { hits += 1 }
                splits += 1
            }
            #expect(e.pValue == Double(hits) / Double(splits), "\(e.genre)")
        }
        #expect(throws: AnalysisError.missing("no labels of 'arousal' in this store; run stemtrace labels import FILE.csv")) {
            try read { try ErrorsQuery.result($0, filters: QueryFilters(), target: "arousal", genre: "hiphop", quantiles: 2) }
        }
    }

    @Test func qualityAgainstTheBaseline() throws {
        let rows = try read { try QualityQuery.rows($0, filters: Self.filters { $0.config = "cfg1" }) }
        let row = try #require(rows.first)
        #expect(rows.count == 1 && row.components == 2 && row.fidelity.count == 4)
        #expect(abs(row.fidelity.median - 0.65) < 1e-12)
        #expect(row.baselineMean == 0.6 && row.belowBaseline == 0.5)
        let r = SampleSummary.correlation([0.9, 0.5, 0.8, 0.3], [0.41, 0.67, 0.5, 0.64])
        #expect(row.correlation == r && (r ?? 0) < -0.8)
    }

    @Test func compareTwoModelsSideBySide() throws {
        let table = try read {
            try CompareQuery.run(
                $0, filters: QueryFilters(), models: ["modelA", "modelB"], genre: "hiphop", target: "valence", feature: nil)
        }
        #expect(
            table.columns == ["concept", "modelA", "modelB", "difference", "a_ci_low", "a_ci_high", "b_ci_low", "b_ci_high"])
        #expect(
            table.rows.map { Array($0.compactMap(\.number).prefix(3)).map { ($0 * 1e9).rounded() / 1e9 } } == [
                [0.3, 0.2, -0.1], [0.2, 0.8, 0.6],
            ])
        // Each model's interval is the one `query effects` gives that model.
        for (offset, model) in ["modelA", "modelB"].enumerated() {
            let effects = try read {
                try EffectsQuery.rows($0, filters: Self.filters { $0.model = model }, genre: "hiphop", target: "valence")
            }
            for (row, effect) in zip(table.rows, effects.rows) {
                #expect(
                    row[4 + 2 * offset].number == effect.genreInterval?.low
                        && row[5 + 2 * offset].number == effect.genreInterval?.high)
            }
        }
    }

    /// Intervals and tests of `query effects`, against values computed here independently: with
    /// two tracks per group, 1000 resamples reach both single values, so the 95 % interval is
    /// [min, max]; the exact test enumerates the 6 splits of 4 tracks; q is Benjamini–Hochberg
    /// over the two concepts.
    @Test func effectsCarryIntervalsPermutationPValuesAndQValues() throws {
        let filters = Self.filters { $0.model = "modelA" }
        let (_, rows, assignment) = try read { try EffectsQuery.rows($0, filters: filters, genre: "hiphop", target: "valence") }
        let members = try assignment.require("hiphop")
        var p: [String: Double] = [:]
        for row in rows {
            let values: [(track: String, value: Double)] = try read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT track_id, relative_effect FROM effects WHERE model_id = 'modelA' AND output = 'valence' AND concept = ?",
                    arguments: [row.concept]
                ).map { (track: $0["track_id"] as String, value: $0["relative_effect"] as Double) }
            }
            let genre: [Double] = values.filter { members.contains($0.track) }.map(\.value)
            let rest: [Double] = values.filter { !members.contains($0.track) }.map(\.value)
            #expect(genre.count == 2 && rest.count == 2, "one excerpt per track in this store")
            #expect(row.genreInterval == Interval(low: genre.min() ?? 0, high: genre.max() ?? 0))
            #expect(row.restInterval == Interval(low: rest.min() ?? 0, high: rest.max() ?? 0))
            let all = genre + rest
            let genreSum: Double = genre.reduce(0, +)
            let restSum: Double = rest.reduce(0, +)
            let observed: Double = abs(genreSum / 2 - restSum / 2)
            let total: Double = genreSum + restSum
            var hits = 0
            var splits = 0
            for i in 0..<4 {
                for j in (i + 1)..<4 {
                    let a: Double = all[i] + all[j]
                    if abs(a / 2 - (total - a) / 2) >= observed - 1e-12 { hits += 1 }
                    splits += 1
                }
            }
            #expect(splits == 6 && row.pValue == Double(hits) / 6, "\(row.concept)")
            p[row.concept] = Double(hits) / 6
        }
        let (p1, p2) = (try #require(p["c1"]), try #require(p["c2"]))
        let (small, large) = (min(p1, p2), max(p1, p2))
        let q = rows.map { $0.qValue }
        let expected = p1 <= p2 ? [min(2 * small, large), large] : [large, min(2 * small, large)]
        #expect(rows.map(\.concept) == ["c1", "c2"])
        #expect(q == expected.map { Optional($0) })
        // Off: no intervals, no tests; the point values do not change.
        let off = try read {
            try EffectsQuery.rows(
                $0,
                filters: Self.filters {
                    $0.model = "modelA"
                    $0.uncertainty = UncertaintySettings(resamples: 0, permutations: 0)
                },
                genre: "hiphop", target: "valence")
        }
        #expect(off.rows.allSatisfy { $0.genreInterval == nil && $0.pValue == nil && $0.qValue == nil })
        #expect(off.rows.map(\.genreMean) == rows.map(\.genreMean) && off.rows.map(\.restMean) == rows.map(\.restMean))
    }

    @Test func tablesRenderAsTextCsvAndJson() throws {
        let table = try read {
            try EffectsQuery.run($0, filters: Self.filters { $0.model = "modelA" }, genre: "hiphop", target: "valence")
        }
        #expect(table.render(.table).contains("c1"))
        let csv = table.render(.csv).split(separator: "\n")
        #expect(
            csv.first == "concept,hiphop,tracks,other genres,other tracks,difference,"
                + "genre_ci_low,genre_ci_high,rest_ci_low,rest_ci_high,difference_p,difference_q" && csv.count == 3)
        let json = try JSONSerialization.jsonObject(with: Data(table.render(.json).utf8)) as? [String: Any]
        let first = (json?["rows"] as? [[String: Any]])?.first
        #expect(first?["concept"] as? String == "c1")
        // Every column is a key of the JSON rows: a repeated name would drop a cell there.
        #expect(first?.count == table.columns.count)
        #expect((first?["other tracks"] as? Int) == 2)
    }

    /// pandas and the JSON rows key cells by column name, so no table may repeat one.
    @Test func everyQueryTableNamesItsColumnsOnce() throws {
        let filters = Self.filters { $0.model = "modelA" }
        let tables = try read { db in
            [
                try EffectsQuery.run(db, filters: filters, genre: "hiphop", target: "valence"),
                try ChainQuery.run(db, filters: QueryFilters(), genre: "hiphop", target: "valence"),
                try SourcesQuery.run(
                    db, filters: Self.filters { $0.composition = "normalized" }, genre: "hiphop", feature: "rhythm_stability"),
            ] + (try ErrorsQuery.run(db, filters: QueryFilters(), target: "valence", genre: "hiphop", quantiles: 2))
        }
        for table in tables {
            #expect(Set(table.columns).count == table.columns.count, "\(table.title): \(table.columns)")
        }
    }

    @Test func missingExplanationsSayWhatToRun() throws {
        let empty = try Store.open(at: try emptyStoreDirectory(), create: true)
        #expect(throws: AnalysisError.missing("no explanations in this store; run stemtrace explain --model FILE")) {
            try empty.catalog.query { try SourcesQuery.result($0, filters: QueryFilters(), genre: "x", feature: "melody") }
        }
    }
}

func emptyStoreDirectory() throws -> URL {
    Fixtures.scratchRoot.appendingPathComponent("analysis-empty-\(UUID().uuidString)")
}

/// Id-prefix filters are literal prefixes: `%` and `_` typed by a user are not SQL wildcards.
@Suite struct PrefixFilterTests {
    @Test(arguments: ["model_", "%", "m%A", "_odelA"])
    func wildcardCharactersInAPrefixMatchNothing(prefix: String) throws {
        let store = try Store.open(at: try AnalysisStore.make())
        var changed = QueryFilters()
        changed.model = prefix
        let filters = changed
        let error = #expect(throws: AnalysisError.self) {
            _ = try store.catalog.query { db in try EffectsQuery.rows(db, filters: filters, genre: "hiphop", target: "valence") }
        }
        guard case .missing? = error else {
            Issue.record("'\(prefix)' should match no model, got \(String(describing: error))")
            return
        }
    }

    @Test func aLiteralPrefixStillMatches() throws {
        let store = try Store.open(at: try AnalysisStore.make())
        var changed = QueryFilters()
        changed.model = "modelA"
        let filters = changed
        let (model, _, _) = try store.catalog.query { db in
            try EffectsQuery.rows(db, filters: filters, genre: "hiphop", target: "valence")
        }
        #expect(model == "modelA")
        let escaped = try store.catalog.read { db in
            try String.fetchAll(
                db, sql: "SELECT ? LIKE ? \(LikePattern.escapeClause)",
                arguments: ["a%b_c\\d-e", LikePattern.prefix("a%b_c\\d")])
        }
        #expect(escaped == ["1"])
    }
}

/// `stemtrace evaluate` on the hand-made store: valence predictions (model A) t1 0.5, t2 −0.5,
/// t3 0, t4 0.2 against labels 0, 0, 0.5, 0.2.
@Suite struct EvaluateQueryTests {
    @Test func metricsOverallAndPerGenreWithIntervals() throws {
        let store = try Store.open(at: try AnalysisStore.make())
        let rows = try store.catalog.query { db in try ModelEvaluation.rows(db, filters: QueryFilters()) }
        let all = try #require(rows.first { $0.genre == "all" && $0.target == "valence" })
        #expect(all.model == "modelA" && all.labels == "labels.csv" && all.tracks == 4)
        // Residuals 0.5, −0.5, −0.5, 0: RMSE = √(0.75/4); labels mean 0.175, SS_tot = 0.1675.
        #expect(abs((all.rmse.value ?? 0) - (0.75 / 4).squareRoot()) < 1e-12)
        #expect(abs((all.r2.value ?? 0) - (1 - 0.75 / 0.1675)) < 1e-12)
        let interval = try #require(all.rmse.interval)
        #expect(interval.low <= (all.rmse.value ?? 0) && (all.rmse.value ?? 0) <= interval.high && interval.high <= 0.5)
        // Hip-hop (t1, t2): residuals ±0.5 → RMSE 0.5 on every draw; labels all 0 → R² undefined.
        let hiphop = try #require(rows.first { $0.genre == "hiphop" })
        #expect(hiphop.tracks == 2 && hiphop.rmse.value == 0.5 && hiphop.rmse.interval == Interval(low: 0.5, high: 0.5))
        #expect(hiphop.r2.value == nil && hiphop.r2.interval == nil)
        let tables = try store.catalog.query { db in try ModelEvaluation.run(db, filters: QueryFilters()) }
        #expect(tables.count == 2 && tables[0].columns == ["model", "labels", "tracks", "valence RMSE", "valence R²"])
    }
}
