import AudioIO
import Core
import DSP
import Foundation
import Logging
import Separation
import Store

/// Options of `stemtrace ingest`.
public struct IngestOptions: Sendable, Codable {
    public var corpus: URL
    public var store: URL
    public var workers: Int = ProcessorCount.available
    public var frontEnd = FrontEndConfig()
    public var metadataCSV: URL?
    public var shardLimit: Int64 = Store.defaultShardLimit
    /// Tracks per catalog transaction (one fsync per batch).
    public var batchSize = 16
    /// Only files named `mixture.*` are tracks (stem import: their siblings are the stems).
    public var mixturesOnly = false
    /// Also store each stem's log-filtered spectrogram (`stem_logfiltspec`, `--stem-spectrograms`).
    /// No stage reads them (explain composes spectra from the stems), so by default they are not
    /// written; stores that have them stay readable.
    public var stemSpectrograms = false
    /// Only tracks of this partition are stored (`--partition k/N`); nil: every track.
    public var partition: Partition?
    /// Bounds on one file (sample rates, channels, `--max-duration`), checked before decoding.
    public var limits = DecodeLimits.standard
    /// The longest track ingest takes, in seconds (`--max-duration`; default 3 hours).
    public var maxDuration: Double {
        get { limits.maxDuration }
        set { limits.maxDuration = newValue }
    }
    public static let defaultMaxDuration = DecodeLimits.standard.maxDuration

    public init(corpus: URL, store: URL) {
        self.corpus = corpus
        self.store = store
    }
}

/// What an ingest run did.
public struct IngestSummary: Sendable, Equatable {
    public var runId: Int64
    public var found = 0
    public var counts = RunCounts()
    /// The partition the run was restricted to, if any.
    public var partition: Partition?
    /// Files whose audio belongs to another partition: decoded, neither stored nor failed.
    public var otherPartition = 0
    public var failures: [Failure] = []
    /// Files stored despite an irregularity, with what was noticed (also in `run_warnings`).
    public var warnings: [Failure] = []
    public var seconds: Double = 0

    /// A file and what went wrong with it (or, for a warning, what was accepted).
    public struct Failure: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    public var hasFailures: Bool { !failures.isEmpty }

    /// The largest difference between an excerpt and its separator's own stems that was added to
    /// one stem so that the stems add up to the excerpt (spleeter), over the run's stored tracks.
    public var largestAbsorbed: Absorbed?

    /// A track and what was absorbed into one of its stems.
    public struct Absorbed: Sendable, Equatable {
        public var path: String
        public var residual: AbsorbedResidual
    }
}

/// `stemtrace ingest`: decode each track once, choose its excerpt, compute its spectrogram, and
/// store mix and spectrogram with full provenance. Parallel over tracks with a bounded pool and a
/// single writer; memory is bounded by (workers + batch) tracks whatever the corpus size.
/// Idempotent and resumable: unchanged files already stored under the same configuration are
/// skipped, and a killed run leaves only whole tracks behind (see `StoreWriter`).
public struct IngestStage: Sendable {
    public let options: IngestOptions
    /// Makes the stems of every track (nil: no separation).
    public let separator: (any Separator)?
    let logger: Logger

    public init(options: IngestOptions, separator: (any Separator)? = nil, logger: Logger = Logger(label: "stemtrace.ingest")) {
        self.options = options
        self.separator = separator
        self.logger = logger
    }

    /// The result of analysing one file in a worker.
    enum FileOutcome: Sendable {
        case stored(PendingTrack, warnings: [String], absorbed: AbsorbedResidual?)
        case skipped
        case otherPartition
        case failed(path: String, reason: String)
    }

    public func run(progressMode: ProgressReporter.Mode = .automatic) async throws -> IngestSummary {
        let startTime = Date()
        _ = BLASThreading.singleThreaded  // parallel over tracks instead
        separator?.prepareInBackground()
        var files = try CorpusScanner.audioFiles(in: options.corpus)
        if options.mixturesOnly { files = files.filter { StemFolder.isMixture($0.url) } }
        let metadata = try options.metadataCSV.map { url throws(PipelineError) in try MetadataTable(url: url) }
        let store = try Store.open(at: options.store, create: true)
        let writer = try store.writer(shardLimit: options.shardLimit)
        let configHash = options.frontEnd.hash
        if let separator {
            let identity = separator.identity
            try writer.register(
                separator: SeparatorRecord(
                    id: identity.id, name: identity.name, version: identity.version, parameters: identity.parameters,
                    parametersHash: identity.parametersHash, createdAt: Timestamp.now()))
        }
        let parameters = RunParameters(options: options, separator: separator?.identity.id)
        let runId = try writer.beginRun(
            command: "ingest", parameters: CanonicalJSON.string(parameters), configHash: configHash, provenance: .stages())
        let analyser = TrackAnalyser(
            config: options.frontEnd, configHash: configHash, runId: runId, corpus: options.corpus,
            metadata: metadata, catalog: store.catalog, separator: separator, partition: options.partition,
            limits: options.limits, stemSpectrograms: options.stemSpectrograms)
        var summary = IngestSummary(runId: runId, found: files.count, partition: options.partition)
        let progress = ProgressReporter(label: "ingest", total: files.count, mode: progressMode)
        let share = options.partition.map { ", partition \($0)" } ?? ""
        logger.info(
            "ingesting \(files.count) audio files from \(options.corpus.path) into \(options.store.path) with \(options.workers) workers\(share)"
        )

        var batch: [PendingTrack] = []
        var batchFailures: [RunFailureRecord] = []
        var batchWarnings: [RunWarningRecord] = []
        func flush() throws {
            guard !batch.isEmpty || !batchFailures.isEmpty || !batchWarnings.isEmpty else { return }
            let outcome = try writer.commit(batch, failures: batchFailures, warnings: batchWarnings, runId: runId)
            summary.counts.succeeded += outcome.stored.count
            summary.counts.duplicates += outcome.duplicates.count
            batch.removeAll(keepingCapacity: true)
            batchFailures.removeAll()
            batchWarnings.removeAll()
            try writer.updateRun(runId, counts: summary.counts)
        }

        do {
            try await withThrowingTaskGroup(of: FileOutcome.self) { group in
                var next = files.makeIterator()
                func schedule() {
                    guard let file = next.next() else { return }
                    group.addTask { await analyser.analyse(file) }
                }
                for _ in 0..<max(1, options.workers) { schedule() }
                while let outcome = try await group.next() {
                    summary.counts.processed += 1
                    switch outcome {
                    case let .stored(track, warnings, absorbed):
                        batch.append(track)
                        if let absorbed, absorbed.peak > (summary.largestAbsorbed?.residual.peak ?? -1) {
                            summary.largestAbsorbed = .init(path: track.source.path, residual: absorbed)
                        }
                        for warning in warnings {
                            summary.warnings.append(.init(path: track.source.path, reason: warning))
                            batchWarnings.append(RunWarningRecord(runId: runId, path: track.source.path, message: warning))
                            logger.warning("\(track.source.path): \(warning)")
                        }
                        progress.advance()
                    case .skipped:
                        summary.counts.skipped += 1
                        progress.advance()
                    case .otherPartition:
                        summary.otherPartition += 1
                        progress.advance()
                    case let .failed(path, reason):
                        summary.counts.failed += 1
                        summary.failures.append(.init(path: path, reason: reason))
                        batchFailures.append(RunFailureRecord(runId: runId, path: path, reason: reason))
                        progress.message("failed: \(path): \(reason)")
                        progress.advance(failed: true)
                    }
                    if batch.count >= options.batchSize { try flush() }
                    schedule()
                }
            }
            try flush()
        } catch {
            // A write that failed (a full disk, say) has already been rolled back in the shards;
            // record the run as failed when the catalog still takes a write.
            try? writer.updateRun(runId, counts: summary.counts, status: "failed")
            throw error
        }
        progress.finish()
        summary.seconds = Date().timeIntervalSince(startTime)
        try writer.updateRun(runId, counts: summary.counts, status: summary.hasFailures ? "completed_with_failures" : "completed")
        return summary
    }

    /// What a run records as its parameters.
    struct RunParameters: Encodable {
        var options: IngestOptions
        var separator: String?
    }
}
