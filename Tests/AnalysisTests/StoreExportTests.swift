import Foundation
import Store
import TestSupport
import Testing

@testable import Analysis

/// `stemtrace export` on the hand-made store: every table as CSV and JSON, the per-genre
/// aggregates worked out by hand, and a dictionary entry for every column.
@Suite struct StoreExportTests {
    @Test func everyTableIsWrittenWithItsDictionaryAndTheAggregatesAreRight() throws {
        let out = try Fixtures.temporaryDirectory("export")
        let storeURL = try AnalysisStore.make()
        let written = try StoreExport.run(store: storeURL, output: out)
        let names = written.tables.map(\.name)
        #expect(names.contains("explanations") && names.contains("genre_effects") && names.contains("genre_sources"))
        let dictionary = try String(contentsOf: out.appendingPathComponent("DATA_DICTIONARY.md"), encoding: .utf8)
        for name in names {
            let csv = try String(contentsOf: out.appendingPathComponent("\(name).csv"), encoding: .utf8)
            let header = csv.split(separator: "\n").first.map(String.init) ?? ""
            for column in header.split(separator: ",") {
                #expect(dictionary.contains("`\(column)`"), "\(name).\(column) is not described")
            }
            let json =
                try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("\(name).json")))
                as? [String: Any]
            #expect((json?["rows"] as? [Any])?.count == written.tables.first { $0.name == name }?.rows)
        }
        func rows(_ name: String) throws -> [[String]] {
            try String(contentsOf: out.appendingPathComponent("\(name).csv"), encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
        let effects = try rows("genre_effects")
        let c1 = try #require(effects.first { $0.prefix(4) == ["hiphop", "modelA", "valence", "c1"] })
        #expect(abs((Double(c1[4]) ?? 0) - 0.3) < 1e-12 && c1[5] == "2")
        // The interval over hip-hop's two tracks (one excerpt each) is [min, max] of their values,
        // the same as `query effects` gives.
        var filters = QueryFilters()
        filters.model = "modelA"
        let chosen = filters
        let query = try Store.open(at: storeURL).catalog.query { db in
            try EffectsQuery.rows(db, filters: chosen, genre: "hiphop", target: "valence")
        }
        let interval = try #require(query.rows.first { $0.concept == "c1" }?.genreInterval)
        #expect(Double(c1[6]) == interval.low && Double(c1[7]) == interval.high && interval.low < interval.high)
        let sources = try rows("genre_sources")
        let drums = try #require(sources.first { $0.prefix(4) == ["hiphop", "cfg1", "rhythm_stability", "drums"] })
        #expect(abs((Double(drums[4]) ?? 0) - 0.4) < 1e-12 && drums[5] == "1" && drums[6] == "0.5" && drums[7] == "2")
        let tracks = try rows("tracks")
        #expect(tracks.first { $0[0] == "t4" }?.last == "other")
        let explanations = try rows("explanations")
        #expect(explanations.count == 5 && explanations.first { $0[0] == "t1" && $0[2] == "cfg1" }?[13] == "drums")
    }
}
