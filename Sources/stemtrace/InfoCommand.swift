import ArgumentParser
import Foundation
import Pipeline
import Store

/// `stemtrace info --store DIR`
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract:
            "Print counts, sizes, compression ratio, schema version and the builds that wrote a store; --run N: one run's provenance."
    )

    @Option(help: "Store directory.")
    var store: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(
        name: .customLong("run"),
        help: "One run's provenance (version, commit, libraries, host, command line) and what it produced.")
    var runId: Int64?

    func run() throws {
        let opened = try Store.open(at: URL(fileURLWithPath: store))
        if let runId {
            let report = try RunReport.load(opened, run: runId)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text())
            }
            return
        }
        let info = try StoreInfo.gather(opened)
        print(json ? StoreSummary.json(info) : StoreSummary.text(info, path: store))
    }
}
