import Foundation
import GRDB
import Testing

@testable import Analysis
@testable import Store

/// `query stability` on the hand-made store plus two sampled configs that differ only in the
/// seed: melody explanations of t1…t4 with three sources, whose top sources agree on t1, t2, t3
/// and differ on t4; and a config with another separator.
@Suite struct StabilityQueryTests {
    static func store() throws -> Store {
        let store = try Store.open(at: try AnalysisStore.make())
        try store.catalog.write { db in
            let settings = #"{"samples":"100","seed":"SEED","segments":"4","separator":"SEP","stems":"STEMS"}"#
            for (id, seed, separator) in [("s0", 0, "sep@1"), ("s1", 1, "sep@1"), ("x0", 0, "other@1")] {
                let config = settings.replacingOccurrences(of: "SEED", with: "\(seed)").replacingOccurrences(
                    of: "SEP", with: separator
                )
                .replacingOccurrences(of: "STEMS", with: separator == "sep@1" ? "vocals,drums,bass" : "vocals,accompaniment")
                try db.execute(
                    sql: """
                        INSERT INTO explanation_configs (id, model_id, separator_id, composition, segments, sampling, samples, seed, config, created_at)
                        VALUES (?, 'modelA', ?, 'normalized', 4, 'sampled', 100, ?, ?, 'now')
                        """, arguments: [id, separator, seed, config])
            }
            // (config, track, weights of vocals, drums, bass, top component)
            let rows: [(String, String, [Double], Int)] = [
                ("s0", "t1", [0.5, 0.2, 0.1], 0), ("s1", "t1", [0.4, 0.3, 0.0], 0),
                ("s0", "t2", [0.1, 0.6, 0.2], 1), ("s1", "t2", [0.2, 0.5, 0.1], 1),
                ("s0", "t3", [0.3, 0.1, 0.2], 0), ("s1", "t3", [0.3, 0.2, 0.1], 0),
                ("s0", "t4", [0.2, 0.3, 0.1], 1), ("s1", "t4", [0.3, 0.2, 0.1], 0),
                ("x0", "t1", [0.6, 0.1], 0),
            ]
            for (config, t, weights, top) in rows {
                try db.execute(
                    sql: """
                        INSERT INTO explanations (config_id, excerpt_id, track_id, target, target_kind, prediction, intercept, fidelity,
                        complexity, local_prediction, top_component, component_count, mask_count, created_at)
                        VALUES (?, ?, ?, 'melody', 'concept', 0, 0, 0.5, 0.5, 0, ?, 3, 100, 'now')
                        """, arguments: [config, Int(t.dropFirst()) ?? 0, t, top])
                let id = db.lastInsertedRowID
                let names = config == "x0" ? ["vocals", "accompaniment"] : ["vocals", "drums", "bass"]
                for (c, (name, w)) in zip(names, weights).enumerated() {
                    try db.execute(
                        sql:
                            "INSERT INTO explanation_weights (explanation_id, component, name, source, segment, weight, rank) VALUES (?, ?, ?, ?, 0, ?, 0)",
                        arguments: [id, c, name, name, w])
                }
            }
        }
        return store
    }

    @Test func seedPairsAgreementSpearmanAndSpreadAgainstHandComputedValues() throws {
        let store = try Self.store()
        let r = try store.catalog.query { db in
            try StabilityQuery.result(db, filters: QueryFilters(), target: "melody", genre: nil)
        }
        let seedAll = try #require(r.rows.first { $0.pair.differs == "seed" && $0.genre == "all" })
        #expect(seedAll.pair.a.id == "s0" && seedAll.pair.b.id == "s1" && seedAll.excerpts == 4)
        #expect(seedAll.agreement == 0.75, "t1, t2, t3 agree; t4 does not")
        // ρ per excerpt (ranks of vocals, drums, bass): t1 (3,2,1)/(3,2,1) → 1; t2 (1,3,2)/(2,3,1) → 0.5;
        // t3 (3,1,2)/(3,2,1) → 0.5; t4 (2,3,1)/(3,2,1) → 0.5. Mean 0.625.
        #expect(abs((seedAll.spearman ?? 0) - 0.625) < 1e-12)
        let vocals = try #require(r.sources.first { $0.pair.differs == "seed" && $0.genre == "all" && $0.source == "vocals" })
        #expect(abs(vocals.meanA - 0.275) < 1e-12 && abs(vocals.meanB - 0.3) < 1e-12)
        #expect(abs(vocals.meanAbsoluteDifference - 0.075) < 1e-12)
        // Hip-hop is t1 and t2: both agree.
        #expect(r.rows.first { $0.pair.differs == "seed" && $0.genre == "hiphop" }?.agreement == 1)
        // The other separator explained only t1; its common source is vocals (one source: no ρ).
        let separator = try #require(r.rows.first { $0.pair.differs == "separator" && $0.genre == "all" })
        #expect(separator.excerpts == 1 && separator.agreement == 1 && separator.spearman == nil)
        let tables = try store.catalog.query { db in
            try StabilityQuery.run(db, filters: QueryFilters(), target: "melody", genre: nil)
        }
        #expect(tables[0].notes.contains { $0.contains("agree on only 75 %") && $0.contains("more samples") })
    }

    @Test func spearmanRanksTiesByTheirMeanRank() {
        #expect(StabilityQuery.spearman([1, 2, 3], [3, 2, 1]) == -1)
        // Ranks (1.5, 1.5, 3) against (1, 2, 3): Pearson of those ranks = √3/2.
        #expect(abs((StabilityQuery.spearman([5, 5, 9], [1, 2, 3]) ?? 0) - 3.0.squareRoot() / 2) < 1e-12)
        #expect(StabilityQuery.spearman([1], [1]) == nil)
    }
}
