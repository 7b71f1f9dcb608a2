import Foundation
import GRDB
import Store

/// A track the report gives audio players: its genre, title, and the explanation to play.
public struct ReportSample: Sendable {
    public var track: String
    public var genre: String
    public var title: String
    public var target: String
    public var config: String
    public var caption: String

    /// Up to `perGenre` explained tracks per genre, read through the store's read-only catalog.
    public static func select(from store: Store, filters: QueryFilters, perGenre: Int) throws -> [ReportSample] {
        try store.catalog.query { db in try select(db, filters: filters, perGenre: perGenre) }
    }

    /// Up to `perGenre` explained tracks per genre (first by path), each with the explanation to
    /// play: the concept behind valence when there is a chain, else the track's first explained target.
    static func select(_ db: Database, filters: QueryFilters, perGenre: Int) throws -> [ReportSample] {
        let genres = try GenreAssignment.load(db, rules: filters.genres)
        let explained = try Row.fetchAll(
            db,
            sql: """
                SELECT e.track_id, e.config_id, e.target, t.source_path FROM explanations e JOIN tracks t ON t.id = e.track_id
                ORDER BY t.source_path, e.id
                """)
        let chains = try ExplanationChainRecord.filter(Column("output") == "valence").fetchAll(db)
        var out: [ReportSample] = []
        var used = Set<String>()
        for genre in genres.allGenres {
            var taken = 0
            for row in explained where taken < perGenre {
                let track: String = try row.decode(forColumn: "track_id")
                guard genres.genres[track]?.contains(genre) == true, !used.contains(track), filters.includes(track: track) else {
                    continue
                }
                let path: String = try row.decode(forColumn: "source_path")
                let title = URL(fileURLWithPath: path).lastPathComponent
                if let chain = chains.first(where: { $0.trackId == track }) {
                    out.append(
                        ReportSample(
                            track: track, genre: genre, title: title, target: chain.concept, config: chain.configId,
                            caption: "valence ← \(chain.concept)"))
                } else {
                    let target: String = try row.decode(forColumn: "target")
                    out.append(
                        ReportSample(
                            track: track, genre: genre, title: title, target: target,
                            config: try row.decode(forColumn: "config_id"), caption: target))
                }
                used.insert(track)
                taken += 1
            }
        }
        return out
    }
}
