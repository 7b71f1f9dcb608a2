import ArgumentParser
import Core
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

    @Argument(help: "Folder (or single file) of audio to ingest (with --stems-from: that folder).")
    var corpus: String?

    @Option(
        help: """
            Separator for the stems: spleeter+bandsplit (default: spleeter's vocals, the built-in recipe on the rest), \
            spleeter (the model's own stems), builtin (weight-free bandsplit), none, or command.
            """)
    var separator: SeparatorChoice = .spleeterBandsplit

    @Option(
        help:
            "With --separator spleeter or spleeter+bandsplit: converted spleeter weights (default: the 2-stem model tools/setup fetches)."
    )
    var separatorModel: String?

    @Option(
        help:
            "With --separator command: the tool's command line, with {input} and {output_dir} placeholders (run without a shell)."
    )
    var separatorCommand: String?

    @Option(
        help:
            "With --separator command: stem files the tool writes, as NAME=FILE,… (FILE may contain {stem}); default vocals,drums,bass,piano,other as {stem}.wav."
    )
    var separatorStems: String?

    @Option(help: "With --separator command: seconds before a per-track run is stopped.")
    var separatorTimeout: Double = 600

    @Option(
        help:
            "Import existing stems instead of separating: a folder of track folders, each holding mixture.* and one file per stem (MUSDB18-HQ layout)."
    )
    var stemsFrom: String?

    @Flag(help: "Also store each stem's log-filtered spectrogram (stem_logfiltspec); no stage reads them.")
    var stemSpectrograms = false

    @Flag(help: "Only files named mixture.* are tracks (a stems dataset laid out as for --stems-from, separated anew).")
    var onlyMixtures = false

    @Option(help: "Store directory (created when missing).")
    var store: String

    @Option(help: "Parallel workers (default: all cores).")
    var workers: Int = ProcessorCount.available

    @Option(help: "Excerpt of tracks longer than 40 s: start, middle or offset=SECONDS.")
    var excerpt: String = "middle"

    @Option(help: "CSV joined by path or file name; any columns, a genre column becomes tags.")
    var metadata: String?

    @Option(help: "Start a new shard file past this many MiB.")
    var shardLimitMib: Int = 1024

    @Option(help: "Tracks per catalog transaction (one fsync each).")
    var batchSize: Int = 16

    @Option(
        help: ArgumentHelp(
            "Refuse tracks longer than this: seconds, or a number with h, min or s (e.g. 3h, 90min).",
            valueName: "duration"))
    var maxDuration: DurationArgument = DurationArgument(seconds: IngestOptions.defaultMaxDuration)

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    @OptionGroup var partition: PartitionOption

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (corpus == nil) != (stemsFrom == nil) || (corpus != nil && stemsFrom == corpus) else {
            throw ValidationError("give either a CORPUS folder or --stems-from DIR")
        }
        if separator == .command, separatorCommand == nil {
            throw ValidationError("--separator command needs --separator-command 'TOOL … {input} … {output_dir}'")
        }
        guard separatorTimeout > 0 else { throw ValidationError("--separator-timeout must be positive") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard ExcerptPolicy(argument: excerpt) != nil else {
            throw ValidationError("--excerpt must be start, middle or offset=SECONDS")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard shardLimitMib >= 1 else { throw ValidationError("--shard-limit-mib must be at least 1") }
        guard maxDuration.seconds >= 1 else { throw ValidationError("--max-duration must be at least 1 s") }
    }

    func run() async throws {
        logging.bootstrap()
        let root = stemsFrom ?? corpus ?? "."
        var options = IngestOptions(corpus: URL(fileURLWithPath: root), store: URL(fileURLWithPath: store))
        options.mixturesOnly = stemsFrom != nil || onlyMixtures
        options.stemSpectrograms = stemSpectrograms
        options.workers = workers
        options.frontEnd = FrontEndConfig(excerptPolicy: ExcerptPolicy(argument: excerpt) ?? .middle)
        options.metadataCSV = metadata.map { URL(fileURLWithPath: $0) }
        options.shardLimit = Int64(shardLimitMib) << 20
        options.batchSize = batchSize
        options.partition = partition.partition
        options.maxDuration = maxDuration.seconds
        let chosen = try SeparatorFactory.make(
            choice: stemsFrom != nil ? .imported : separator.factoryChoice, command: separatorCommand, stems: separatorStems,
            timeout: separatorTimeout, model: separatorModel,
            threads: max(1, ProcessorCount.available / max(1, workers)))
        let summary = try await IngestStage(options: options, separator: chosen)
            .run(progressMode: logging.quiet ? .silent : progress.mode)
        print(IngestReport.render(summary, store: store))
        if summary.hasFailures { throw ExitCode(2) }
    }
}

/// Which separator makes the stems.
enum SeparatorChoice: String, ExpressibleByArgument, CaseIterable {
    case spleeterBandsplit = "spleeter+bandsplit"
    case spleeter, builtin, none, command

    var factoryChoice: SeparatorFactory.Choice {
        switch self {
        case .spleeterBandsplit: .spleeterBandsplit
        case .spleeter: .spleeter
        case .builtin: .builtin
        case .none: .none
        case .command: .command
        }
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
