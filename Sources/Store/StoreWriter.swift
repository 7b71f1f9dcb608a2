import Core
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// An array ready to be written: its compressed record and the catalog facts about it.
public struct PendingArray: Sendable {
    public var kind: String
    public var name: String
    public var producer: String
    public var configHash: String
    public var record: ShardRecord

    public init(kind: String, name: String = "", producer: String = "", configHash: String, record: ShardRecord) {
        self.kind = kind
        self.name = name
        self.producer = producer
        self.configHash = configHash
        self.record = record
    }
}

/// An array that belongs to a track (and excerpt) already in the store.
public struct AttachedArray: Sendable {
    public var trackId: String
    public var excerptId: Int64?
    public var array: PendingArray

    public init(trackId: String, excerptId: Int64?, array: PendingArray) {
        self.trackId = trackId
        self.excerptId = excerptId
        self.array = array
    }
}

/// Everything one ingested track adds to the store, committed all together or not at all.
public struct PendingTrack: Sendable {
    public var track: TrackRecord
    public var source: TrackSourceRecord
    public var metadata: [TrackMetadataRecord]
    public var tags: [TagRecord]
    public var excerpt: ExcerptRecord
    public var arrays: [PendingArray]

    public init(
        track: TrackRecord, source: TrackSourceRecord, metadata: [TrackMetadataRecord], tags: [TagRecord],
        excerpt: ExcerptRecord, arrays: [PendingArray]
    ) {
        self.track = track
        self.source = source
        self.metadata = metadata
        self.tags = tags
        self.excerpt = excerpt
        self.arrays = arrays
    }
}

/// What a batch commit did with each pending track.
public struct CommitOutcome: Sendable, Equatable {
    /// Tracks that gained new arrays (a new track, excerpt or set of stems).
    public var stored: [String] = []
    /// Source paths whose audio (with this configuration) was already stored: recorded as extra sources.
    public var duplicates: [String] = []
}

/// The single writer of a store. Durability rule (docs/ARCHITECTURE.md, "Ingest"): every record is appended and
/// fsynced before the catalog transaction that references it commits, so a catalog row never
/// points at bytes that might be lost; a crash leaves at most unreferenced tail bytes, which
/// `verify` reports and can reclaim.
public final class StoreWriter {
    public let store: Store
    private let appender: ShardAppender
    private let lockFD: Int32
    /// Orphaned tail bytes truncated when this writer opened the store (see `init`).
    public private(set) var reclaimedAtOpen: Int64 = 0

    init(store: Store, shardLimit: Int64) throws(StoreError) {
        let lockPath = store.root.appendingPathComponent("writer.lock").path
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: lockPath, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .locked(path: store.root.path)
        }
        self.lockFD = fd
        self.store = store
        do {
            self.appender = try ShardAppender(directory: store.shardDirectory, sizeLimit: shardLimit)
        } catch {
            flock(fd, LOCK_UN)
            close(fd)
            throw error
        }
        // Only the lock holder writes, so any bytes past the last referenced record were appended
        // by a writer that died (or ran out of disk) before committing: reclaim them first, which
        // needs no catalog write and frees space on a full disk, so new records never leave
        // unreferenced gaps behind. Then any run still marked running was cut short.
        reclaimedAtOpen = try reclaimOrphanedTails()
        try store.catalog.write { db in
            try db.execute(sql: "UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        }
    }

    deinit {
        flock(lockFD, LOCK_UN)
        close(lockFD)
    }

    /// Starts a run row with its provenance and returns its id. `provenance` defaults to what
    /// this process knows (`RunProvenance.current()`); the stages pass theirs, with the versions
    /// of the libraries their layers load. The SQLite version is the catalog connection's.
    public func beginRun(
        command: String, parameters: String, configHash: String?, provenance: RunProvenance = .current()
    ) throws(StoreError) -> Int64 {
        try store.catalog.write { db in
            var libraries = provenance.libraries
            libraries["sqlite"] = try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "unknown"
            let run = RunRecord(
                id: nil, command: command, parameters: parameters, configHash: configHash,
                startedAt: Timestamp.now(), finishedAt: nil, status: "running", stemtraceVersion: provenance.version,
                gitCommit: provenance.commit, libraries: CanonicalJSON.string(libraries), host: provenance.host,
                cpu: provenance.cpu, threads: provenance.threads, commandLine: CanonicalJSON.string(provenance.commandLine))
            try run.insert(db)
            return db.lastInsertedRowID
        }
    }

    /// Updates a run's counts and, with `status`, closes it.
    public func updateRun(_ id: Int64, counts: RunCounts, status: String? = nil) throws(StoreError) {
        try store.catalog.write { db in
            try db.execute(
                sql: """
                    UPDATE runs SET processed = ?, succeeded = ?, duplicates = ?, skipped = ?, failed = ?,
                      status = COALESCE(?, status), finished_at = CASE WHEN ? IS NULL THEN finished_at ELSE ? END
                    WHERE id = ?
                    """,
                arguments: [
                    counts.processed, counts.succeeded, counts.duplicates, counts.skipped, counts.failed,
                    status, status, Timestamp.now(), id,
                ])
        }
    }

    /// Writes a batch: new arrays' records are appended and fsynced, then one transaction inserts
    /// every row (tracks, sources, metadata, tags, excerpts, arrays, failures). An array already
    /// stored (same track, kind, name, producer and configuration, or repeated inside the batch) is
    /// never written again; a pending track left with no new arrays is a duplicate and only adds its
    /// source path, tags and metadata. A known track gains new excerpts or stems without rewriting.
    public func commit(
        _ tracks: [PendingTrack], failures: [RunFailureRecord] = [], warnings: [RunWarningRecord] = [], runId: Int64?
    ) throws(StoreError)
        -> CommitOutcome
    {
        let ids = Array(Set(tracks.map(\.track.id)))
        let (knownTracks, knownArrays): (Set<String>, Set<String>) = try store.catalog.read { db in
            let t = try String.fetchAll(db, TrackRecord.select(Column("id")).filter(ids.contains(Column("id"))))
            let a = try ArrayRecord.filter(ids.contains(Column("track_id"))).fetchAll(db).map {
                Self.arrayKey($0.trackId, $0.kind, $0.name, $0.producer, $0.configHash)
            }
            return (Set(t), Set(a))
        }
        var seenTracks = knownTracks
        var seenArrays = knownArrays
        var fresh: [(PendingTrack, [RecordLocation], Bool)] = []
        var duplicates: [PendingTrack] = []
        var outcome = CommitOutcome()
        let mark = appender.mark
        for var pending in tracks {
            // Only arrays not stored yet (by track, kind, name, producer and configuration) are written.
            pending.arrays = pending.arrays.filter {
                seenArrays.insert(Self.arrayKey(pending.track.id, $0.kind, $0.name, $0.producer, $0.configHash)).inserted
            }
            if pending.arrays.isEmpty {
                duplicates.append(pending)
                outcome.duplicates.append(pending.source.path)
                continue
            }
            let newTrack = seenTracks.insert(pending.track.id).inserted
            var locations: [RecordLocation] = []
            for array in pending.arrays { locations.append(try appendOrRollBack(array.record, to: mark)) }
            fresh.append((pending, locations, newTrack))
            outcome.stored.append(pending.track.id)
        }
        try syncOrRollBack(to: mark)
        do {
            try insertRows(fresh, duplicates: duplicates, failures: failures, warnings: warnings, runId: runId)
        } catch {
            // The catalog refused the batch (a full disk, say): its records are unreferenced; drop
            // them so they neither fill the disk nor leave a gap before the next batch.
            try? appender.rollback(to: mark)
            throw error
        }
        return outcome
    }

    /// Appends one record; when that fails (no space left, an I/O error) the shards are first
    /// truncated back to `mark`, so a failed batch leaves no bytes behind.
    private func appendOrRollBack(_ record: ShardRecord, to mark: ShardAppender.Mark) throws(StoreError) -> RecordLocation {
        do { return try appender.append(record.serialized()) } catch {
            try? appender.rollback(to: mark)
            throw error
        }
    }

    /// fsyncs the batch's records, rolling back to `mark` when that fails.
    private func syncOrRollBack(to mark: ShardAppender.Mark) throws(StoreError) {
        do { try appender.sync() } catch {
            try? appender.rollback(to: mark)
            throw error
        }
    }

    static func arrayKey(_ track: String, _ kind: String, _ name: String, _ producer: String, _ config: String) -> String {
        [track, kind, name, producer, config].joined(separator: "\u{1F}")
    }

    /// Records a separator (once) so its stems' `producer` resolves to name, version and parameters.
    public func register(separator: SeparatorRecord) throws(StoreError) {
        try store.catalog.write { db in try separator.insert(db, onConflict: .ignore) }
    }

    private func insertRows(
        _ fresh: [(PendingTrack, [RecordLocation], Bool)], duplicates: [PendingTrack],
        failures: [RunFailureRecord], warnings: [RunWarningRecord], runId: Int64?
    ) throws(StoreError) {
        let now = Timestamp.now()
        let batch = fresh
        let repeats = duplicates
        try store.catalog.write { db in
            for (pending, locations, newTrack) in batch {
                if newTrack { try pending.track.insert(db) }
                try pending.source.upsert(db)
                for m in pending.metadata { try m.upsert(db) }
                for t in pending.tags { try t.upsert(db) }
                let excerpt = pending.excerpt
                try excerpt.insert(db, onConflict: .ignore)
                let excerptId = try Int64.fetchOne(
                    db, sql: "SELECT id FROM excerpts WHERE track_id = ? AND config_hash = ?",
                    arguments: [excerpt.trackId, excerpt.configHash])
                for (array, location) in zip(pending.arrays, locations) {
                    try Self.row(array, at: location, track: pending.track.id, excerpt: excerptId, runId: runId, now: now)
                        .insert(db)
                }
            }
            // A duplicate adds its path, and its tags and metadata (another copy may carry other tags).
            for pending in repeats {
                try pending.source.upsert(db)
                for m in pending.metadata { try m.upsert(db) }
                for t in pending.tags { try t.upsert(db) }
            }
            for failure in failures { try failure.insert(db) }
            for warning in warnings { try warning.insert(db) }
        }
    }

    static func row(
        _ array: PendingArray, at location: RecordLocation, track: String, excerpt: Int64?, runId: Int64?, now: String
    ) -> ArrayRecord {
        ArrayRecord(
            id: nil, trackId: track, excerptId: excerpt, kind: array.kind, name: array.name,
            producer: array.producer, configHash: array.configHash, shard: location.shard,
            offset: location.offset, length: location.length, codec: array.record.codec.name,
            filter: array.record.filter.name, dtype: array.record.dtype.rawValue,
            shape: "[" + array.record.shape.map(String.init).joined(separator: ",") + "]",
            rawLength: array.record.rawLength, checksum: String(format: "%016llx", array.record.payloadChecksum),
            runId: runId, createdAt: now)
    }

    /// Writes results that belong to tracks already in the store (explanations, say): the arrays'
    /// records are appended and fsynced, then one transaction inserts their catalog rows and runs
    /// `rows` with the new array ids (in the order of `arrays`), so result rows can point at them.
    /// An array already stored under the same key is not written again; its existing id is passed.
    func commitResults(
        _ arrays: [AttachedArray], runId: Int64?, rows: @escaping @Sendable (Database, [Int64]) throws -> Void
    ) throws(StoreError) {
        let mark = appender.mark
        var locations: [RecordLocation] = []
        for a in arrays { locations.append(try appendOrRollBack(a.array.record, to: mark)) }
        try syncOrRollBack(to: mark)
        let now = Timestamp.now()
        let placed = Array(zip(arrays, locations))
        do {
            try store.catalog.write { db in
                var ids: [Int64] = []
                for (a, location) in placed {
                    let row = Self.row(a.array, at: location, track: a.trackId, excerpt: a.excerptId, runId: runId, now: now)
                    try row.insert(db, onConflict: .ignore)
                    let id = try Int64.fetchOne(
                        db,
                        sql: """
                            SELECT id FROM arrays WHERE track_id = ? AND excerpt_id IS ? AND kind = ? AND name = ?
                            AND producer = ? AND config_hash = ?
                            """,
                        arguments: [a.trackId, a.excerptId, a.array.kind, a.array.name, a.array.producer, a.array.configHash])
                    guard let id else { throw StoreError.catalog(reason: "array row for \(a.trackId) was not stored") }
                    ids.append(id)
                }
                try rows(db, ids)
            }
        } catch {
            try? appender.rollback(to: mark)
            throw error
        }
    }

    /// Truncates every shard to the last byte a catalog row references (reclaims orphaned tails).
    /// Returns the bytes removed.
    public func reclaimOrphanedTails() throws(StoreError) -> Int64 {
        try appender.sync()
        let report = try StoreVerifier(store: store).verify(checkPayloads: false, catalogCheck: .none)
        var removed: Int64 = 0
        for orphan in report.orphanedTails {
            let path = ShardFile.url(orphan.shard, in: store.shardDirectory).path
            guard truncate(path, off_t(orphan.referencedEnd)) == 0 else {
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            removed += orphan.bytes
        }
        try appender.reopenAfterTruncation()
        return removed
    }
}

/// Per-run counters.
public struct RunCounts: Sendable, Equatable {
    public var processed = 0
    public var succeeded = 0
    public var duplicates = 0
    public var skipped = 0
    public var failed = 0
    public init() {}
}

/// ISO 8601 UTC timestamps for catalog rows.
public enum Timestamp {
    public static func now() -> String {
        ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "UTC") ?? .current,
            formatOptions: [.withInternetDateTime, .withFractionalSeconds])
    }
}
