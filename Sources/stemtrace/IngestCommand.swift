import ArgumentParser
import DSP
import Foundation
import Pipeline

/// `stemtrace ingest CORPUS_DIR --store DIR`
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Decode, excerpt and analyse every audio file under a folder into a store.",
        discussion: """
            Finds audio files recursively (wav, flac, ogg, opus, mp3, aiff, …). The same audio twice is one \
            track. Re-running skips files already ingested unchanged with the same settings, so an interrupted \
            run can simply be started again. Exits with status 2 when some files failed (listed at the end).
            """
    )

    @Argument(help: "Folder (or single file) of audio to ingest.")
    var corpus: String

    @Option(help: "Store directory (created when missing).")
    var store: String

    @Option(help: "Parallel workers (default: all cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Excerpt of tracks longer than 40 s: start, middle or offset=SECONDS.")
    var excerpt: String = "middle"

    @Option(help: "CSV joined by path or file name; any columns, a genre column becomes tags.")
    var metadata: String?

    @Option(help: "Start a new shard file past this many MiB.")
    var shardLimitMib: Int = 1024

    @Option(help: "Tracks per catalog transaction (one fsync each).")
    var batchSize: Int = 16

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard ExcerptPolicy(argument: excerpt) != nil else {
            throw ValidationError("--excerpt must be start, middle or offset=SECONDS")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard shardLimitMib >= 1 else { throw ValidationError("--shard-limit-mib must be at least 1") }
    }

    func run() async throws {
        logging.bootstrap()
        var options = IngestOptions(corpus: URL(fileURLWithPath: corpus), store: URL(fileURLWithPath: store))
        options.workers = workers
        options.frontEnd = FrontEndConfig(excerptPolicy: ExcerptPolicy(argument: excerpt) ?? .middle)
        options.metadataCSV = metadata.map { URL(fileURLWithPath: $0) }
        options.shardLimit = Int64(shardLimitMib) << 20
        options.batchSize = batchSize
        let summary = try await IngestStage(options: options).run(progressMode: logging.quiet ? .silent : progress.mode)
        print(IngestReport.render(summary, store: store))
        if summary.hasFailures { throw ExitCode(2) }
    }
}

/// How progress is shown.
enum ProgressChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, bar, lines, none

    var mode: ProgressReporter.Mode {
        switch self {
        case .auto: .automatic
        case .bar: .bar
        case .lines: .lines
        case .none: .silent
        }
    }
}
