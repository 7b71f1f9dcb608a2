import ArgumentParser
import Core
import Foundation
import Pipeline
import Store

/// `stemtrace verify --store DIR [--reclaim]`
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the catalog and every stored record against its checksums; report orphaned shard bytes.",
        discussion: """
            Runs SQLite's integrity_check (quick_check with --quick) and foreign_key_check on the catalog, then reads \
            every referenced record. Exits 1 when the catalog is damaged or any referenced record is missing or \
            corrupt. Orphaned tail bytes (left by an interrupted writer or a full disk) are harmless; --reclaim \
            truncates them, and works on a full disk because truncating comes before any catalog write.
            """
    )

    @Option(help: "Store directory.")
    var store: String

    @Flag(help: "Truncate orphaned tail bytes after checking (takes the writer lock).")
    var reclaim = false

    @Flag(help: "Check the catalog with SQLite's quick_check instead of the full integrity_check.")
    var quick = false

    func run() throws {
        let opened = try Store.open(at: URL(fileURLWithPath: store))
        let total = try opened.catalog.arrayCount()
        let progress = ProgressReporter(label: "verify", total: total)
        let report = try StoreVerifier(store: opened).verify(
            catalogCheck: quick ? .quick : .full, progress: { _, _ in progress.advance() })
        progress.finish()
        print(StoreSummary.text(report))
        if report.isCorrupt { throw ExitCode(1) }
        if reclaim, !report.orphanedTails.isEmpty {
            // Opening the writer already truncates orphaned tails (before it records anything),
            // so the bytes it reclaimed count too.
            let writer = try opened.writer()
            let removed = writer.reclaimedAtOpen + (try writer.reclaimOrphanedTails())
            print("reclaimed \(removed) orphaned bytes")
        }
    }
}
