import ArgumentParser
import Core
import Logging

/// The `stemtrace` command-line tool: one subcommand per file, each parsing options and calling Pipeline.
@main
struct Stemtrace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stemtrace",
        abstract: "An on-disk feature store and batch processor for explaining music emotion models.",
        discussion: "Ingest a corpus once, then every later stage reads only the store. See docs/CLI.md.",
        version: BuildInfo.description,
        subcommands: [
            IngestCommand.self, SpectrogramCommand.self, InfoCommand.self, VerifyCommand.self, ArraysCommand.self,
            EvalSeparationCommand.self, InferCommand.self, TagCommand.self, ModelCommand.self, ExplainCommand.self,
            LabelsCommand.self, QueryCommand.self, ExportCommand.self, ReportCommand.self, TrainCommand.self,
            EvalVeracityCommand.self, MergeCommand.self, SeparateCommand.self, EvaluateCommand.self,
        ]
    )

    /// ArgumentParser's own entry point, after the process-wide allocator setting every stage
    /// benefits from (`AllocatorPolicy`).
    static func main() async {
        AllocatorPolicy.retainFreedBlocks()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options shared by commands that log.
struct LoggingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Log more detail.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Only print errors and the final summary.")
    var quiet = false

    func bootstrap() {
        let level: Logger.Level = verbose ? .debug : quiet ? .error : .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
