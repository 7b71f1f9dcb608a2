import GRDB
import Store

/// `stemtrace query chain --genre G --target valence`: the paper's two-level chain over a genre:
/// how often each concept has the largest effect on the output, and for each such concept how
/// often each source is its explanation's top positive component.
public enum ChainQuery {
    public struct Row: Sendable, Equatable {
        public var concept: String
        public var conceptTracks: Int
        public var source: String
        public var sourceTracks: Int
    }

    public static func rows(_ db: Database, filters: QueryFilters, genre: String, target: String) throws -> (
        config: ExplanationConfigRecord, rows: [Row], tracks: Int, genres: GenreAssignment
    ) {
        let config = try filters.explanationConfig(db, target: target, chains: true)
        let assignment = try GenreAssignment.load(db, rules: filters.genres)
        let members = try assignment.require(genre)
        let chains = try ExplanationChainRecord.filter(Column("config_id") == config.id && Column("output") == target).fetchAll(
            db
        )
        .filter { members.contains($0.trackId) && filters.includes(track: $0.trackId) }
        guard !chains.isEmpty else {
            throw AnalysisError.missing(
                "no two-level chains of '\(target)' for genre '\(genre)' (config \(config.id.prefix(12))); the model needs concepts and outputs"
            )
        }
        // The top source of each (excerpt, concept) explanation.
        let tops = try Row_.fetchAll(
            db,
            sql: """
                SELECT e.excerpt_id, e.target, w.source FROM explanations e
                LEFT JOIN explanation_weights w ON w.explanation_id = e.id AND w.component = e.top_component
                WHERE e.config_id = ?
                """, arguments: [config.id])
        var topSource: [String: String] = [:]
        for t in tops { topSource["\(t.excerptId)/\(t.target)"] = t.source ?? "none" }
        var byConcept: [String: [String: Int]] = [:]
        for c in chains {
            byConcept[c.concept, default: [:]][topSource["\(c.excerptId)/\(c.concept)"] ?? "not explained", default: 0] += 1
        }
        var rows: [Row] = []
        for (concept, sources) in byConcept {
            let total = sources.values.reduce(0, +)
            for (source, n) in sources {
                rows.append(Row(concept: concept, conceptTracks: total, source: source, sourceTracks: n))
            }
        }
        rows.sort {
            ($0.conceptTracks, $0.concept, $0.sourceTracks, $1.source) > (
                $1.conceptTracks, $1.concept, $1.sourceTracks, $0.source
            )
        }
        return (config, rows, chains.count, assignment)
    }

    public static func run(_ db: Database, filters: QueryFilters, genre: String, target: String) throws -> QueryTable {
        let (config, rows, total, assignment) = try rows(db, filters: filters, genre: genre, target: target)
        return QueryTable(
            title: "two-level chain of \(target) in \(genre) (\(total) excerpts)",
            columns: ["concept", "excerpts", "share", "top source", "excerpts", "share of concept"],
            rows: rows.map { r in
                [
                    .text(r.concept), .integer(r.conceptTracks), .number(Double(r.conceptTracks) / Double(total)),
                    .text(r.source),
                    .integer(r.sourceTracks), .number(Double(r.sourceTracks) / Double(r.conceptTracks)),
                ]
            }, notes: ["genres from \(assignment.resolvedSource) tags; config \(config.id.prefix(12))"])
    }

    struct Row_: FetchableRecord, Decodable {
        var excerptId: Int64
        var target: String
        var source: String?
        enum CodingKeys: String, CodingKey {
            case excerptId = "excerpt_id"
            case target
            case source
        }
    }
}
