import Analysis
import ArgumentParser
import Foundation
import Store

/// `stemtrace eval-veracity --store DIR --truth truth.csv`
struct EvalVeracityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-veracity",
        abstract: "On a veracity corpus: how often an explanation's top source is the stem that truly generated the label.",
        discussion: "Held-out tracks (with no stored labels) only, unless --all. See tools/make_veracity_corpus.")

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "The corpus's truth table (label,stem), written by tools/make_veracity_corpus.")
    var truth: String

    @Flag(help: "Also count tracks whose labels are stored (used for training).")
    var all = false

    @Option(name: .customLong("model"), help: "Model id (or prefix).")
    var model: String?

    @Option(help: "Output: table, csv or json.")
    var format: QueryTable.Format = .table

    func run() throws {
        let truth = try VeracityEvaluation.truth(contentsOf: URL(fileURLWithPath: truth))
        var query = QueryFilters()
        query.model = model
        let filters = query
        let opened = try Store.open(at: URL(fileURLWithPath: store))
        let heldOut = !all
        let rows = try opened.catalog.query { db in
            try VeracityEvaluation.rows(db, truth: truth, heldOutOnly: heldOut, filters: filters)
        }
        print(VeracityEvaluation.table(rows).render(format), terminator: "")
    }
}
