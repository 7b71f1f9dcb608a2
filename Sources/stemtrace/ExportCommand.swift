import Analysis
import ArgumentParser
import Foundation

/// `stemtrace export --store DIR --output DIR`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Per-track tables and per-genre aggregates as CSV and JSON, with a data dictionary.")

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "Output directory.")
    var output: String

    @Option(help: "Tags that give genres: auto, file, csv, musicnn or musicnn:MODEL.")
    var genreSource: String = "auto"

    @OptionGroup var uncertainty: UncertaintyOptions

    func run() throws {
        guard let source = GenreRules.Source(argument: genreSource) else {
            throw ValidationError("--genre-source must be auto, file, csv, musicnn or musicnn:MODEL, got '\(genreSource)'")
        }
        var filters = QueryFilters()
        filters.genres = GenreRules(source: source)
        filters.uncertainty = uncertainty.settings
        let written = try StoreExport.run(
            store: URL(fileURLWithPath: store), output: URL(fileURLWithPath: output), filters: filters)
        for t in written.tables { print("\(t.name): \(t.rows) rows") }
        print("wrote \(written.tables.count) tables (CSV and JSON) and DATA_DICTIONARY.md to \(written.directory.path)")
    }
}
