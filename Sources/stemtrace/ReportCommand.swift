import Analysis
import ArgumentParser
import Foundation
import Pipeline

/// `stemtrace report --store DIR --output DIR`
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A static HTML report of the store (plots, tables and audio evidence per genre), readable offline.")

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "Output directory (index.html and audio/).")
    var output: String

    @Option(help: "Tags that give genres: auto, file, csv, musicnn or musicnn:MODEL.")
    var genreSource: String = "auto"

    @OptionGroup var uncertainty: UncertaintyOptions

    @Option(help: "Tracks per genre with audio players.")
    var tracksPerGenre: Int = 2

    func run() throws {
        guard let source = GenreRules.Source(argument: genreSource) else {
            throw ValidationError("--genre-source must be auto, file, csv, musicnn or musicnn:MODEL, got '\(genreSource)'")
        }
        var stage = ReportStage(store: URL(fileURLWithPath: store), output: URL(fileURLWithPath: output))
        stage.filters.genres = GenreRules(source: source)
        stage.filters.uncertainty = uncertainty.settings
        stage.tracksPerGenre = max(0, tracksPerGenre)
        let written = try stage.run()
        print(
            "wrote \(written.page.path) (\(written.audioFiles) audio files, "
                + String(format: "%.1f MB", Double(written.bytes) / 1e6) + " in all)")
        if !written.failures.isEmpty {
            print("\(written.failures.count) tracks have no audio players (run `stemtrace verify`):")
            for f in written.failures { print("  \(f.track): \(f.reason)") }
            throw ExitCode(2)
        }
    }
}
