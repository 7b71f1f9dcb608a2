import ArgumentParser
import Foundation
import Pipeline
import Store

/// `stemtrace verify --store DIR [--reclaim]`
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every stored record against its checksums and report orphaned shard bytes.",
        discussion:
            "Exits 1 when any referenced record is missing or corrupt. Orphaned tail bytes (left by an interrupted writer) are harmless; --reclaim truncates them."
    )

    @Option(help: "Store directory.")
    var store: String

    @Flag(help: "Truncate orphaned tail bytes after checking (takes the writer lock).")
    var reclaim = false

    func run() throws {
        let opened = try Store.open(at: URL(fileURLWithPath: store))
        let total = try opened.catalog.arrayCount()
        let progress = ProgressReporter(label: "verify", total: total)
        let report = try StoreVerifier(store: opened).verify(progress: { _, _ in progress.advance() })
        progress.finish()
        print(StoreSummary.text(report))
        if report.isCorrupt { throw ExitCode(1) }
        if reclaim, !report.orphanedTails.isEmpty {
            let removed = try opened.writer().reclaimOrphanedTails()
            print("reclaimed \(removed) orphaned bytes")
        }
    }
}
