import ArgumentParser
import Foundation
import Pipeline

/// `stemtrace labels import FILE.csv --store DIR [--scale …]`
struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels", abstract: "Ground-truth annotations of tracks.", subcommands: [LabelsImportCommand.self])
}

struct LabelsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Attach arousal, valence and mid-level annotations from a CSV to stored tracks, rescaled to [-1, 1].",
        discussion: """
            The key column (track_id, track, id, path, file or filename) holds track ids, paths or file names. Label columns \
            are named like the model's targets (arousal, valence, melody, articulation, rhythm_complexity, rhythm_stability, \
            dissonance, tonal_stability, minorness). Without --scale the smallest common scale holding a column's values \
            (0:1, -1:1, 1:5, 1:7, 1:9, 1:10, 0:10, 0:100) is assumed and printed.
            """)

    @Argument(help: "CSV file.")
    var file: String

    @Option(help: "Store directory.")
    var store: String

    @Option(
        help:
            "Scale of the labels: MIN:MAX for every column, or NAME=MIN:MAX (repeatable; write --scale=-1:1 for a negative minimum)."
    )
    var scale: [String] = []

    func run() throws {
        var perColumn: [String: ClosedRange<Double>] = [:]
        var all: ClosedRange<Double>?
        for item in scale {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let range = try Self.range(parts.last ?? "")
            if parts.count == 2 { perColumn[parts[0].lowercased()] = range } else { all = range }
        }
        let summary = try LabelsImport.run(
            store: URL(fileURLWithPath: store), csv: URL(fileURLWithPath: file), scales: perColumn, defaultScale: all)
        for (column, s) in summary.columns.sorted(by: { $0.key < $1.key }) {
            print("\(column): scale \(s.min):\(s.max)\(s.detected ? " (detected from the values; override with --scale)" : "")")
        }
        if !summary.ignoredColumns.isEmpty { print("ignored columns: \(summary.ignoredColumns.joined(separator: ", "))") }
        print("imported \(summary.imported) labels for \(summary.tracks) tracks")
        for key in summary.unmatched.prefix(20) { print("no stored track matches '\(key)'") }
        for problem in summary.invalid.prefix(20) { print("skipped: \(problem)") }
        if !summary.unmatched.isEmpty || !summary.invalid.isEmpty { throw ExitCode(2) }
    }

    static func range(_ text: String) throws -> ClosedRange<Double> {
        let bounds = text.split(separator: ":").map { Double($0) }
        guard bounds.count == 2, let lo = bounds[0], let hi = bounds[1], lo < hi else {
            throw ValidationError("--scale expects MIN:MAX with MIN < MAX, got '\(text)'")
        }
        return lo...hi
    }
}
