import ArgumentParser
import Foundation
import Pipeline
import Store

/// `stemtrace eval-separation --store DIR --reference DIR [--separator ID] [--csv OUT.csv]`
struct EvalSeparationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-separation",
        abstract: "Score stored stems against reference stems (SI-SDR, SDR) next to mixture and even-split baselines.",
        discussion: """
            REFERENCE holds a folder per piece with one audio file per stem (REF/<piece>/vocals.flac, …). A track's \
            folder is the parent folder name of its source file (/x/hh01/mixture.flac → REF/hh01), else the file's \
            name without extension. Reference stems are cut to the stored excerpt window at 22 050 Hz. All-zero \
            references are skipped; a separator without a piano stem is scored on "other" against piano + other.
            """
    )

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "Folder of reference stem folders, one per piece.")
    var reference: String

    @Option(help: "Only stems from producers starting with this (a separator id or name, e.g. bandsplit).")
    var separator: String?

    @Option(help: "Also write every score as CSV to this file.")
    var csv: String?

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    func run() throws {
        let report = try SeparationEvaluation.run(
            store: Store.open(at: URL(fileURLWithPath: store)), reference: URL(fileURLWithPath: reference),
            separator: separator, progress: progress.mode)
        if let csv {
            try SeparationEvaluation.writeCSV(report.scores, to: URL(fileURLWithPath: csv))
        }
        print(SeparationEvaluation.render(report))
        if let csv { print("wrote \(report.scores.count) scores to \(csv)") }
    }
}
