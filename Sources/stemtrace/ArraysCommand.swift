import ArgumentParser
import Foundation
import Pipeline
import Store

/// `stemtrace arrays export --kind KIND [--track ID] --output DIR`
struct ArraysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arrays", abstract: "Work with stored arrays.", subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write stored arrays as safetensors files (one per array) for use from Python.")

        @Option(help: "Store directory.")
        var store: String

        @Option(help: "Array kind, e.g. mix or logfiltspec.")
        var kind: String

        @Option(help: "Only this track id.")
        var track: String?

        @Option(help: "Only arrays from this producer (separator id or its prefix, e.g. bandsplit).")
        var producer: String?

        @Option(name: .shortAndLong, help: "Output directory.")
        var output: String

        func run() throws {
            let outcome = try ArrayExport.run(
                store: Store.open(at: URL(fileURLWithPath: store)), kind: kind, track: track, producer: producer,
                output: URL(fileURLWithPath: output))
            print("wrote \(outcome.files.count) safetensors files to \(output)")
            if !outcome.failures.isEmpty {
                print("\(outcome.failures.count) arrays could not be read (run `stemtrace verify`):")
                for f in outcome.failures { print("  \(f.track): \(f.reason)") }
                throw ExitCode(2)
            }
            if outcome.files.isEmpty {
                throw ValidationError("no arrays of kind '\(kind)'\(track.map { " for track \($0)" } ?? "") in \(store)")
            }
        }
    }
}
