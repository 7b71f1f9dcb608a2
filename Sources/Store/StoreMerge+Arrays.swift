import Foundation
import GRDB

extension StoreMerge {
    /// Most bytes of records held in memory for one `commitResults` batch.
    static let batchBytes = 64 << 20

    /// Arrays the destination has under the same key are mapped; the others are read from the
    /// source, verified (payload checksum and LZ4 content checksum, by decoding), and appended
    /// to the destination's shards in batches, each fsynced before its rows are committed. A
    /// record that fails verification is listed in `summary.damaged` and not copied.
    func mergeArrays(into summary: inout Summary, progress: ((Int, Int) -> Void)?) throws(StoreError) {
        summary.arraysPresent = try onWriter { db in
            try db.execute(
                sql: """
                    INSERT INTO temp.map_arrays (old, new)
                    SELECT s.id, m.id FROM src.arrays s JOIN main.arrays m
                    ON m.track_id = s.track_id AND m.kind = s.kind AND m.name = s.name AND m.producer = s.producer
                    AND m.config_hash = s.config_hash
                    AND m.excerpt_id IS (SELECT new FROM temp.map_excerpts WHERE old = s.excerpt_id)
                    """)
            return db.changesCount
        }
        let (pending, excerpts, runs) = try onWriter { db in
            (
                try ArrayRecord.fetchAll(
                    db, sql: "SELECT * FROM src.arrays WHERE id NOT IN (SELECT old FROM temp.map_arrays) ORDER BY id"),
                try Self.map(db, "excerpts"), try Self.map(db, "runs")
            )
        }
        var batch: [(old: Int64, array: AttachedArray)] = []
        var batchRun: Int64?
        var bytes = 0
        var done = 0
        func flush() throws(StoreError) {
            guard !batch.isEmpty else { return }
            let olds = batch.map(\.old)
            try writer.commitResults(batch.map(\.array), runId: batchRun) { db, ids in
                for (old, new) in zip(olds, ids) {
                    try db.execute(sql: "INSERT INTO temp.map_arrays (old, new) VALUES (?, ?)", arguments: [old, new])
                }
            }
            summary.arraysCopied += batch.count
            summary.bytesCopied += Int64(bytes)
            done += batch.count
            progress?(done, pending.count)
            batch = []
            bytes = 0
        }
        for row in pending {
            guard let old = row.id else { continue }
            let excerpt = try row.excerptId.map { id throws(StoreError) in
                guard let mapped = excerpts[id] else {
                    throw StoreError.catalog(reason: "array \(old) of \(source.root.path) points at a missing excerpt \(id)")
                }
                return mapped
            }
            let run = row.runId.flatMap { runs[$0] }
            let record: ShardRecord
            do {
                record = try source.readRecord(row)
                _ = try record.decode(record: old, shard: row.shard, offset: row.offset)
            } catch  where error.isRecordDamage {
                summary.damaged.append(DamagedRecord(array: old, track: row.trackId, reason: error.description))
                continue
            }
            if run != batchRun || batch.count >= batchSize || bytes + record.totalLength > Self.batchBytes {
                try flush()
                batchRun = run
            }
            let array = PendingArray(
                kind: row.kind, name: row.name, producer: row.producer, configHash: row.configHash, record: record)
            batch.append((old, AttachedArray(trackId: row.trackId, excerptId: excerpt, array: array)))
            bytes += record.totalLength
        }
        try flush()
        summary.rowsAdded["arrays"] = summary.arraysCopied
    }

    /// A temp map as a dictionary, old id → new id.
    static func map(_ db: Database, _ table: String) throws -> [Int64: Int64] {
        var result: [Int64: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT old, new FROM temp.map_\(table)") {
            result[try row.decode(Int64.self, forColumn: "old")] = try row.decode(Int64.self, forColumn: "new")
        }
        return result
    }
}
