import ArgumentParser
import Core
import Foundation
import Pipeline
import Store

/// `stemtrace merge --store DEST SOURCE...`
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Copy whole stores (e.g. one per --partition job) into one.",
        discussion: """
            Every track, array, prediction, explanation, label and run of each SOURCE store is added to the --store \
            (created when missing) unless it is already there: content-keyed, so merging twice or merging stores that \
            share tracks adds nothing twice and overwrites nothing. Records are verified while they are copied; a \
            damaged record is listed and skipped, the rest of its store merged, and the command exits with status 2. \
            Each source is recorded as a merge run.
            """)

    @Option(help: "Destination store directory (created when missing).")
    var store: String

    @Argument(help: "Stores to merge into the destination, in order.")
    var sources: [String]

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("name at least one store to merge") }
    }

    func run() throws {
        let destination = try Store.open(at: URL(fileURLWithPath: store), create: true)
        let writer = try destination.writer()
        var damaged = 0
        for path in sources {
            let source = try Store.open(at: URL(fileURLWithPath: path))
            var reporter: ProgressReporter?
            var reported = 0
            let summary: StoreMerge.Summary
            do {
                summary = try StoreMerge(from: source, into: writer, provenance: .stages()).run { done, total in
                    let bar = reporter ?? ProgressReporter(label: "merge", total: total, mode: progress.mode)
                    reporter = bar
                    for _ in reported..<done { bar.advance() }
                    reported = done
                }
            } catch {
                reporter?.finish()
                throw MergeFailure(source: path, underlying: error)
            }
            reporter?.finish()
            print(
                "merged \(path): \(summary.tracksAdded) tracks added (\(summary.tracksPresent) already present), "
                    + "\(summary.arraysCopied) arrays copied (\(summary.bytesCopied) bytes; \(summary.arraysPresent) already present)"
            )
            let rows = summary.rowsAdded.filter { $0.value > 0 && !["tracks", "arrays"].contains($0.key) }.sorted {
                $0.key < $1.key
            }
            if !rows.isEmpty { print("  rows added: " + rows.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
            if !summary.damaged.isEmpty {
                print("  \(summary.damaged.count) damaged records of \(path) were not merged:")
                for d in summary.damaged { print("    track \(d.track): \(d.reason)") }
            }
            damaged += summary.damaged.count
        }
        if damaged > 0 { throw ExitCode(2) }
    }
}

/// A merge that stopped: names the source store (what was merged before it stays, complete).
struct MergeFailure: Error, CustomStringConvertible {
    var source: String
    var underlying: StoreError
    var description: String {
        "merging \(source) stopped: \(underlying) (what was merged before is complete; \(source) is unchanged)"
    }
}
