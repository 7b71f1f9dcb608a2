import Foundation
import GRDB
import TestSupport

@testable import Store

/// A store with hand-made contents whose query answers can be worked out by hand:
///
/// - tracks t1…t4; csv genres: t1, t2 hiphop; t3 rock; t4 none (other). musicnn (source
///   musicnn:m1): t1 hip-hop 0.6 and rock 0.2; t2 rock 0.05 (below the 0.1 threshold); t3 rock
///   0.7; t4 female vocalists 0.9 (not a genre tag).
/// - effects on valence (relative): model A t1 c1 0.5 c2 −0.5, t2 c1 0.1 c2 0.9, t3 c1 −0.2
///   c2 0.8, t4 c1 0.4 c2 0.6; model B t1 c1 0.1 c2 0.9, t2 c1 0.3 c2 0.7.
/// - valence predictions (A) t1 0.5, t2 −0.5, t3 0, t4 0.2; labels t1 0, t2 0, t3 0.5, t4 0.2.
/// - explanations of rhythm_stability (config cfg1, model A, sep@1, normalized, components
///   vocals, drums): t1 (0.1, 0.6) top drums fidelity 0.9 complexity 0.41; t2 (0.3, 0.2) top
///   vocals 0.5, 0.67; t3 (−0.1, 0.4) top drums 0.8, 0.5; t4 (−0.2, −0.1) none 0.3, 0.64.
///   Chains of valence: t1, t2, t3 → rhythm_stability; t4 → c9 (not explained).
///   One explanation of rhythm_stability for t1 under cfg2 (paper composition).
///   Complexity baseline for k = 2: mean 0.6, std 0.05.
enum AnalysisStore {
    static func make() throws -> URL {
        let root = try Fixtures.temporaryDirectory("analysis")
        let store = try Store.open(at: root, create: true)
        try store.catalog.write { db in
            for (i, t) in ["t1", "t2", "t3", "t4"].enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO tracks (id, source_path, format, duration_s, sample_rate, channels, frames, partition_key, created_at)
                        VALUES (?, ?, 'WAV', 40, 22050, 1, 882000, ?, 'now')
                        """, arguments: [t, "/corpus/\(t).wav", i])
                try db.execute(
                    sql: """
                        INSERT INTO excerpts (id, track_id, config_hash, policy, sample_rate, start_sample, sample_count, looped, frame_count)
                        VALUES (?, ?, 'cfg', 'middle', 22050, 0, 882000, 0, 1252)
                        """, arguments: [i + 1, t])
            }
            for (t, tag, source, score) in [
                ("t1", "hiphop", "csv", nil), ("t2", "hiphop", "csv", nil), ("t3", "rock", "csv", nil),
                ("t1", "hip-hop", "musicnn:m1", 0.6), ("t1", "rock", "musicnn:m1", 0.2), ("t2", "rock", "musicnn:m1", 0.05),
                ("t3", "rock", "musicnn:m1", 0.7), ("t4", "female vocalists", "musicnn:m1", 0.9),
            ] as [(String, String, String, Double?)] {
                try db.execute(
                    sql: "INSERT INTO tags (track_id, tag, source, score) VALUES (?, ?, ?, ?)",
                    arguments: [t, tag, source, score])
            }
            for m in ["modelA", "modelB"] {
                try db.execute(
                    sql:
                        "INSERT INTO models (id, name, kind, front_end, labels, metadata, created_at) VALUES (?, ?, 'rfresnet', 'x', '{}', '{}', 'now')",
                    arguments: [m, m])
            }
            let effects: [(String, String, String, Double)] = [
                ("modelA", "t1", "c1", 0.5), ("modelA", "t1", "c2", -0.5), ("modelA", "t2", "c1", 0.1),
                ("modelA", "t2", "c2", 0.9),
                ("modelA", "t3", "c1", -0.2), ("modelA", "t3", "c2", 0.8), ("modelA", "t4", "c1", 0.4),
                ("modelA", "t4", "c2", 0.6),
                ("modelB", "t1", "c1", 0.1), ("modelB", "t1", "c2", 0.9), ("modelB", "t2", "c1", 0.3),
                ("modelB", "t2", "c2", 0.7),
            ]
            for (m, t, c, r) in effects {
                let excerpt = Int(t.dropFirst()) ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO effects (excerpt_id, track_id, model_id, output, concept, concept_value, weight, effect, relative_effect)
                        VALUES (?, ?, ?, 'valence', ?, 1, 1, ?, ?)
                        """, arguments: [excerpt, t, m, c, r, r])
            }
            for (t, p, l) in [("t1", 0.5, 0.0), ("t2", -0.5, 0.0), ("t3", 0.0, 0.5), ("t4", 0.2, 0.2)] {
                let excerpt = Int(t.dropFirst()) ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO predictions (excerpt_id, track_id, model_id, kind, name, value, input_start, created_at)
                        VALUES (?, ?, 'modelA', 'output', 'valence', ?, 0, 'now')
                        """, arguments: [excerpt, t, p])
                try db.execute(
                    sql: """
                        INSERT INTO labels (track_id, name, value, raw_value, scale_min, scale_max, source, created_at)
                        VALUES (?, 'valence', ?, ?, -1, 1, 'labels.csv', 'now')
                        """, arguments: [t, l, l])
            }
            for (id, composition) in [("cfg1", "normalized"), ("cfg2", "paper")] {
                try db.execute(
                    sql: """
                        INSERT INTO explanation_configs (id, model_id, separator_id, composition, segments, sampling, samples, seed, config, created_at)
                        VALUES (?, 'modelA', 'sep@1', ?, 1, 'exhaustive', 1000, 0, '{}', ?)
                        """, arguments: [id, composition, id])
            }
            let explanations: [(String, String, Double, Double, Double, Double, Int?)] = [
                ("cfg1", "t1", 0.1, 0.6, 0.9, 0.41, 1), ("cfg1", "t2", 0.3, 0.2, 0.5, 0.67, 0),
                ("cfg1", "t3", -0.1, 0.4, 0.8, 0.5, 1),
                ("cfg1", "t4", -0.2, -0.1, 0.3, 0.64, nil), ("cfg2", "t1", 0.2, 0.1, 0.7, 0.63, 0),
            ]
            for (config, t, vocals, drums, fidelity, complexity, top) in explanations {
                let excerpt = Int(t.dropFirst()) ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO explanations (config_id, excerpt_id, track_id, target, target_kind, prediction, intercept, fidelity,
                        complexity, local_prediction, top_component, component_count, mask_count, created_at)
                        VALUES (?, ?, ?, 'rhythm_stability', 'concept', 0, 0, ?, ?, 0, ?, 2, 4, 'now')
                        """, arguments: [config, excerpt, t, fidelity, complexity, top])
                let id = db.lastInsertedRowID
                for (c, name, w) in [(0, "vocals", vocals), (1, "drums", drums)] {
                    try db.execute(
                        sql:
                            "INSERT INTO explanation_weights (explanation_id, component, name, source, segment, weight, rank) VALUES (?, ?, ?, ?, 0, ?, 0)",
                        arguments: [id, c, name, name, w])
                }
            }
            for (t, concept) in [
                ("t1", "rhythm_stability"), ("t2", "rhythm_stability"), ("t3", "rhythm_stability"), ("t4", "c9"),
            ] {
                let excerpt = Int(t.dropFirst()) ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO explanation_chains (config_id, excerpt_id, track_id, output, concept, effect, relative_effect)
                        VALUES ('cfg1', ?, ?, 'valence', ?, 1, 0.5)
                        """, arguments: [excerpt, t, concept])
            }
            try db.execute(
                sql: "INSERT INTO complexity_baselines (component_count, draws, seed, mean, std) VALUES (2, 1000, 0, 0.6, 0.05)")
        }
        return root
    }
}
