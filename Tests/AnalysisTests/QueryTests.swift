import Core
import Foundation
import GRDB
import Store
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
        let other = try read { try ChainQuery.rows($0, filters: QueryFilters(), genre: "other", target: "valence") }
        #expect(other.rows == [ChainQuery.Row(concept: "c9", conceptTracks: 1, source: "not explained", sourceTracks: 1)])
    }

    @Test func errorQuantilesAndMeanErrorPerGenre() throws {
        let r = try read { try ErrorsQuery.result($0, filters: QueryFilters(), target: "valence", genre: "hiphop", quantiles: 2) }
        #expect(r.bins.map(\.lower) == [-0.5, -0.25] && r.bins.map(\.upper) == [-0.25, 0.5])
        #expect(r.bins.map(\.tracks) == [2, 2] && r.bins.map(\.genreTracks) == [1, 1])
        let means = Dictionary(uniqueKeysWithValues: r.meanError.map { ($0.genre, $0.mean) })
        #expect(means == ["hiphop": 0, "rock": -0.5, "other": 0])
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
        #expect(table.columns == ["concept", "modelA", "modelB", "difference"])
        #expect(
            table.rows.map { $0.compactMap(\.number).map { ($0 * 1e9).rounded() / 1e9 } } == [
                [0.3, 0.2, -0.1], [0.2, 0.8, 0.6],
            ])
    }

    @Test func tablesRenderAsTextCsvAndJson() throws {
        let table = try read {
            try EffectsQuery.run($0, filters: Self.filters { $0.model = "modelA" }, genre: "hiphop", target: "valence")
        }
        #expect(table.render(.table).contains("c1"))
        let csv = table.render(.csv).split(separator: "\n")
        #expect(csv.first == "concept,hiphop,tracks,other genres,tracks,difference" && csv.count == 3)
        let json = try JSONSerialization.jsonObject(with: Data(table.render(.json).utf8)) as? [String: Any]
        #expect((json?["rows"] as? [[String: Any]])?.first?["concept"] as? String == "c1")
    }

    @Test func missingExplanationsSayWhatToRun() throws {
        let empty = try Store.open(at: try emptyStoreDirectory(), create: true)
        #expect(throws: AnalysisError.missing("no explanations in this store; run stemtrace explain --model FILE")) {
            try empty.catalog.query { try SourcesQuery.result($0, filters: QueryFilters(), genre: "x", feature: "melody") }
        }
    }
}

func emptyStoreDirectory() throws -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("analysis-empty-\(UUID().uuidString)")
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
