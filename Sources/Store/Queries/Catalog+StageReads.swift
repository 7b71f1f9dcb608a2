import Foundation
import GRDB

/// The catalog reads the stages need, by name, so no module above Store writes SQL against the
/// catalog for its work (Analysis, which asks ad-hoc questions, reads through `Catalog.read`).
extension Catalog {
    /// Arrays of `kind` from `producer` that belong to an excerpt, in id order.
    public func excerptArrays(kind: String, producer: String = "") throws(StoreError) -> [ArrayRecord] {
        try read { db in
            try ArrayRecord.filter(Column("kind") == kind && Column("producer") == producer && Column("excerpt_id") != nil)
                .order(Column("id")).fetchAll(db)
        }
    }

    /// Arrays of `kind` named `name` from `producer`, in id order.
    public func arrays(kind: String, name: String, producer: String) throws(StoreError) -> [ArrayRecord] {
        try read { db in
            try ArrayRecord.filter(Column("kind") == kind && Column("name") == name && Column("producer") == producer)
                .order(Column("id")).fetchAll(db)
        }
    }

    /// Every array of one excerpt, in id order.
    public func arrays(excerpt: Int64) throws(StoreError) -> [ArrayRecord] {
        try read { db in try ArrayRecord.filter(Column("excerpt_id") == excerpt).order(Column("id")).fetchAll(db) }
    }

    /// Number of stored excerpts.
    public func excerptCount() throws(StoreError) -> Int {
        try read { db in try ExcerptRecord.fetchCount(db) }
    }

    /// Excerpts that already have predictions of `model`.
    public func excerptsWithPredictions(model: String) throws(StoreError) -> Set<Int64> {
        try read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT excerpt_id FROM predictions WHERE model_id = ?", arguments: [model]))
        }
    }

    /// Tracks that already have tags from `source`.
    public func tracksTagged(source: String) throws(StoreError) -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT track_id FROM tags WHERE source = ?", arguments: [source]))
        }
    }

    /// The targets already explained under `config`, by excerpt.
    public func explainedTargets(config: String) throws(StoreError) -> [Int64: Set<String>] {
        try read { db in
            var done: [Int64: Set<String>] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT excerpt_id, target FROM explanations WHERE config_id = ?", arguments: [config])
            {
                done[try row.decode(Int64.self, forColumn: "excerpt_id"), default: []].insert(try row.decode(forColumn: "target"))
            }
            return done
        }
    }

    /// Explanations of tracks whose id starts with `trackPrefix` under configs whose id starts
    /// with `configPrefix` (of one target when given), newest first. Prefixes match literally.
    public func explanations(trackPrefix: String, target: String? = nil, configPrefix: String = "") throws(StoreError)
        -> [ExplanationRecord]
    {
        try read { db in
            var sql = """
                SELECT * FROM explanations WHERE track_id LIKE ? \(LikePattern.escapeClause)
                AND config_id LIKE ? \(LikePattern.escapeClause)
                """
            var arguments: [any DatabaseValueConvertible] = [LikePattern.prefix(trackPrefix), LikePattern.prefix(configPrefix)]
            if let target {
                sql += " AND target = ?"
                arguments.append(target)
            }
            return try ExplanationRecord.fetchAll(db, sql: sql + " ORDER BY id DESC", arguments: StatementArguments(arguments))
        }
    }

    /// One explanation config.
    public func explanationConfig(id: String) throws(StoreError) -> ExplanationConfigRecord? {
        try read { db in try ExplanationConfigRecord.fetchOne(db, key: id) }
    }

    /// The component weights of explanations, by rank.
    public func explanationWeights(explanations ids: [Int64]) throws(StoreError) -> [ExplanationWeightRecord] {
        try read { db in
            try ExplanationWeightRecord.filter(ids.contains(Column("explanation_id"))).order(Column("rank")).fetchAll(db)
        }
    }

    /// The two-level chains of one excerpt under one config, by output.
    public func explanationChains(config: String, excerpt: Int64) throws(StoreError) -> [ExplanationChainRecord] {
        try read { db in
            try ExplanationChainRecord.filter(Column("config_id") == config && Column("excerpt_id") == excerpt)
                .order(Column("output")).fetchAll(db)
        }
    }

    /// Every track row.
    public func tracks() throws(StoreError) -> [TrackRecord] { try read { db in try TrackRecord.fetchAll(db) } }

    /// Every source path row.
    public func trackSources() throws(StoreError) -> [TrackSourceRecord] {
        try read { db in try TrackSourceRecord.fetchAll(db) }
    }

    /// Every excerpt row.
    public func excerpts() throws(StoreError) -> [ExcerptRecord] { try read { db in try ExcerptRecord.fetchAll(db) } }

    /// Every stored label.
    public func labels() throws(StoreError) -> [LabelRecord] { try read { db in try LabelRecord.fetchAll(db) } }

    /// Each track's value of the metadata `key` (compared case-insensitively), the first by source.
    public func metadataValues(key: String) throws(StoreError) -> [String: String] {
        try read { db in
            var values: [String: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT track_id, value FROM track_metadata WHERE lower(key) = lower(?) ORDER BY source",
                arguments: [key])
            {
                let track = try row.decode(String.self, forColumn: "track_id")
                values[track] = try values[track] ?? row.decode(String.self, forColumn: "value")
            }
            return values
        }
    }

    /// The sample rate of the stored excerpts (their mix arrays), from the excerpts' front-end
    /// configuration; nil when the store has no excerpt. Stores made with one front end have one
    /// rate; several rates are refused, since stages assume one. The catalog is input too: a rate
    /// outside 1–384 000 Hz (the rates ingest's `DecodeLimits` accept; no front end goes higher)
    /// is refused before any resampler sees it.
    public func excerptSampleRate() throws(StoreError) -> Int? {
        let rates = try read { db in
            try Int.fetchAll(db, sql: "SELECT DISTINCT sample_rate FROM excerpts ORDER BY sample_rate")
        }
        if let bad = rates.first(where: { !(1...384_000).contains($0) }) {
            throw .catalog(reason: "an excerpt's sample rate is \(bad) Hz, outside 1–384000 Hz: the catalog is damaged")
        }
        guard rates.count <= 1 else {
            throw .catalog(
                reason: "the excerpts are stored at several sample rates (\(rates.map(String.init).joined(separator: ", ")) Hz)")
        }
        return rates.first
    }
}
