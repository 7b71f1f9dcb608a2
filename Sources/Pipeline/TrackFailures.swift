import Store

/// The per-track problems of a stage run over a store (a damaged record, an excerpt the model
/// cannot take, a non-finite output): each names the track by its source path and the reason.
/// A stage records them, goes on with the other tracks, stores them in `run_failures` and ends
/// with status `completed_with_failures`; its command exits with status 2.
public struct TrackFailures: Sendable {
    /// One failed track: its source path (the track id when the path is unknown) and why.
    public struct Item: Sendable, Equatable {
        public var track: String
        public var reason: String
    }

    public private(set) var items: [Item] = []
    let sources: [String: String]

    /// - Parameter sources: track id → source path (`Catalog.trackSourcePaths`).
    init(sources: [String: String]) { self.sources = sources }

    /// Records that `trackId` failed for `reason`.
    mutating func add(trackId: String, _ reason: String) {
        items.append(Item(track: sourcePath(of: trackId), reason: reason))
    }

    /// The track's source path, or its id when the path is unknown.
    func sourcePath(of trackId: String) -> String { sources[trackId] ?? trackId }

    mutating func add(trackId: String, _ error: any Error) { add(trackId: trackId, "\(error)") }

    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }

    /// The rows for `run_failures`.
    func records(runId: Int64) -> [RunFailureRecord] {
        items.map { RunFailureRecord(runId: runId, path: $0.track, reason: $0.reason) }
    }

    /// The run status these failures give a finished run.
    var runStatus: String { items.isEmpty ? "completed" : "completed_with_failures" }

    /// Stores the failures with the run's counts and final status.
    func close(run runId: Int64, counts: RunCounts, writer: StoreWriter) throws(StoreError) {
        let rows = records(runId: runId)
        try writer.record(failures: rows)
        try writer.updateRun(runId, counts: counts, status: runStatus)
    }
}
