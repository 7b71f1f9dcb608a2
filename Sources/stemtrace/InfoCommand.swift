import ArgumentParser
import Foundation
import Pipeline
import Store

/// `stemtrace info --store DIR`
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print counts, sizes, compression ratio and schema version of a store.")

    @Option(help: "Store directory.")
    var store: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let info = try StoreInfo.gather(Store.open(at: URL(fileURLWithPath: store)))
        print(json ? StoreSummary.json(info) : StoreSummary.text(info, path: store))
    }
}
