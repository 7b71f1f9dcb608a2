import GRDB
import Store

/// `stemtrace query chain --genre G --target valence`: the paper's two-level chain over a genre:
/// how often each concept has the largest effect on the output, and for each such concept how
/// often each source is its explanation's top positive component. With `UncertaintySettings`:
/// bootstrap intervals over tracks (excerpts of a track averaged first) of both shares, the
/// concept's share among all other tracks, and a permutation p-value of the genre-versus-rest
/// difference of that share with Benjamini–Hochberg q over the concepts.
public enum ChainQuery {
    public struct Row: Sendable, Equatable {
        public var concept: String
        public var conceptTracks: Int
        public var source: String
        public var sourceTracks: Int
        public var conceptShareInterval: Interval? = nil
        /// The concept's share of the other tracks' excerpts (same config and output).
        public var restConceptShare: Double? = nil
        public var conceptPValue: Double? = nil
        public var conceptQValue: Double? = nil
        public var sourceShareInterval: Interval? = nil
    }

    public static func rows(_ db: Database, filters: QueryFilters, genre: String, target: String) throws -> (
        config: ExplanationConfigRecord, rows: [Row], tracks: Int, genres: GenreAssignment
    ) {
        let config = try filters.explanationConfig(db, target: target, chains: true)
        let assignment = try GenreAssignment.load(db, rules: filters.genres)
        let members = try assignment.require(genre)
        let allChains = try ExplanationChainRecord.filter(Column("config_id") == config.id && Column("output") == target)
            .fetchAll(db)
            .filter { filters.includes(track: $0.trackId) }
        let chains = allChains.filter { members.contains($0.trackId) }
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
        addUncertainty(
            &rows, chains: allChains, members: members, topSource: topSource, settings: filters.uncertainty,
            stream: "chain/\(config.id)/\(target)/\(genre)")
        return (config, rows, chains.count, assignment)
    }

    /// Per-track shares (a track's excerpts averaged), their intervals and the concept tests.
    static func addUncertainty(
        _ rows: inout [Row], chains: [ExplanationChainRecord], members: Set<String>, topSource: [String: String],
        settings u: UncertaintySettings, stream: String
    ) {
        let byTrack = Dictionary(grouping: chains, by: \.trackId)
        let tracks = byTrack.keys.sorted()
        func share(_ track: String, _ hit: (ExplanationChainRecord) -> Bool) -> Double {
            let list = byTrack[track] ?? []
            return Double(list.filter(hit).count) / Double(list.count)
        }
        var conceptTests: [String: (interval: Interval?, rest: Double?, p: Double?)] = [:]
        for concept in Set(rows.map(\.concept)).sorted() {
            let genre = tracks.filter { members.contains($0) }.map { share($0) { $0.concept == concept } }
            let rest = tracks.filter { !members.contains($0) }.map { share($0) { $0.concept == concept } }
            conceptTests[concept] = (
                u.interval(genre, stream: "\(stream)/\(concept)"), rest.isEmpty ? nil : rest.reduce(0, +) / Double(rest.count),
                u.pValue(genre, rest, stream: "\(stream)/\(concept)/difference")
            )
        }
        let concepts = conceptTests.keys.sorted()
        let q = Dictionary(
            uniqueKeysWithValues: zip(concepts, BenjaminiHochberg.qValues(concepts.map { conceptTests[$0]?.p ?? nil })))
        for i in rows.indices {
            let concept = rows[i].concept
            let test = conceptTests[concept]
            rows[i].conceptShareInterval = test?.interval
            rows[i].restConceptShare = test?.rest
            rows[i].conceptPValue = test?.p
            rows[i].conceptQValue = q[concept] ?? nil
            // The source's share among the genre's excerpts whose top concept this is, per track.
            let source = rows[i].source
            let values = tracks.filter { members.contains($0) }.compactMap { t -> Double? in
                let list = (byTrack[t] ?? []).filter { $0.concept == concept }
                guard !list.isEmpty else { return nil }
                let hits = list.filter { (topSource["\($0.excerptId)/\(concept)"] ?? "not explained") == source }.count
                return Double(hits) / Double(list.count)
            }
            rows[i].sourceShareInterval = u.interval(values, stream: "\(stream)/\(concept)/\(source)")
        }
    }

    public static func run(_ db: Database, filters: QueryFilters, genre: String, target: String) throws -> QueryTable {
        let (config, rows, total, assignment) = try rows(db, filters: filters, genre: genre, target: target)
        return QueryTable(
            title: "two-level chain of \(target) in \(genre) (\(total) excerpts)",
            columns: ["concept", "excerpts", "share", "top source", "source excerpts", "share of concept"] + [
                "share_ci_low", "share_ci_high", "rest_share", "difference_p", "difference_q", "source_share_ci_low",
                "source_share_ci_high",
            ],
            rows: rows.map { r in
                [
                    .text(r.concept), .integer(r.conceptTracks), .number(Double(r.conceptTracks) / Double(total)),
                    .text(r.source),
                    .integer(r.sourceTracks), .number(Double(r.sourceTracks) / Double(r.conceptTracks)),
                    r.conceptShareInterval.map { .number($0.low) } ?? .missing,
                    r.conceptShareInterval.map { .number($0.high) } ?? .missing,
                    r.restConceptShare.map { .number($0) } ?? .missing,
                    r.conceptPValue.map { .probability($0) } ?? .missing, r.conceptQValue.map { .probability($0) } ?? .missing,
                    r.sourceShareInterval.map { .number($0.low) } ?? .missing,
                    r.sourceShareInterval.map { .number($0.high) } ?? .missing,
                ]
            }, notes: ["genres from \(assignment.resolvedSource) tags; config \(config.id.prefix(12))", filters.uncertainty.note])
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
