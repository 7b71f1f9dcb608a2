import Core
import Foundation
import Store

/// The frame every stage run over a store shares: the opened store and its single writer, the
/// `runs` row (command, parameters with the partition, config hash), per-track failures,
/// progress and counts, and the final status. A stage does its own work between `begin` and
/// `finish`; a run that throws is recorded as `failed` (`abandon`).
///
/// ```swift
/// var run = try StageRun.begin(store: url, command: "tag", parameters: ["model": id], partition: p, configHash: id)
/// for job in jobs { do { …; run.succeeded() } catch { run.fail(trackId: job.trackId, error) } }
/// try run.finish()
/// ```
final class StageRun {
    let store: Store
    let writer: StoreWriter
    let runId: Int64
    let started = Date()
    private(set) var failures: TrackFailures
    var counts = RunCounts()
    private var progress: ProgressReporter?

    private init(store: Store, writer: StoreWriter, runId: Int64, failures: TrackFailures) {
        self.store = store
        self.writer = writer
        self.runId = runId
        self.failures = failures
    }

    /// Opens the store and its writer and records the run; `prepare` runs with the writer
    /// before the run row is written (model registration, say).
    static func begin(
        store url: URL, command: String, parameters: [String: String], partition: Partition?, configHash: String?,
        prepare: (StoreWriter) throws -> Void = { _ in }
    ) throws -> StageRun {
        try begin(
            opened: try Store.open(at: url), command: command, parameters: parameters, partition: partition,
            configHash: configHash, prepare: prepare)
    }

    /// The same on a store the stage has already opened (to read what it needs before the run).
    static func begin(
        opened store: Store, command: String, parameters: [String: String], partition: Partition?, configHash: String?,
        prepare: (StoreWriter) throws -> Void = { _ in }
    ) throws -> StageRun {
        let writer = try store.writer()
        try prepare(writer)
        var parameters = parameters
        if let partition { parameters["partition"] = partition.description }
        let runId = try writer.beginRun(
            command: command, parameters: CanonicalJSON.string(parameters), configHash: configHash, provenance: .stages())
        return StageRun(
            store: store, writer: writer, runId: runId, failures: TrackFailures(sources: try store.catalog.trackSourcePaths()))
    }

    /// Starts the progress line over `total` items (and counts them as processed).
    func startProgress(label: String, total: Int, mode: ProgressReporter.Mode) {
        counts.processed = total
        progress = ProgressReporter(label: label, total: total, mode: mode)
    }

    /// One item done.
    func succeeded() {
        counts.succeeded += 1
        progress?.advance()
    }

    /// One item failed: recorded by its track's source path, and the run goes on.
    func fail(trackId: String, _ error: any Error, advance: Bool = true) {
        fail(trackId: trackId, reason: "\(error)", advance: advance)
    }

    /// One item failed for a reason found earlier (a cached embedding that could not be made, say).
    func fail(trackId: String, reason: String, advance: Bool = true) {
        failures.add(trackId: trackId, reason)
        if advance { progress?.advance(failed: true) }
    }

    /// The track's source path (its id when unknown): how failures and messages name a track.
    func sourcePath(of trackId: String) -> String { failures.sourcePath(of: trackId) }

    /// Marks the run failed (when the catalog still takes a write) before rethrowing.
    func abandon() {
        try? writer.updateRun(runId, counts: counts, status: "failed")
    }

    /// Runs `body`; if it throws, the run is marked failed and the error passes through.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            abandon()
            throw error
        }
    }

    /// Ends the progress line, stores the failures, the counts and the final status
    /// (`completed`, or `completed_with_failures` when any item failed).
    func finish() throws {
        progress?.finish()
        counts.failed = failures.count
        try failures.close(run: runId, counts: counts, writer: writer)
    }

    var seconds: Double { Date().timeIntervalSince(started) }
}
