import ArgumentParser
import Foundation
import Pipeline

/// `stemtrace tag --store DIR`
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "musicnn (MSD) genre tags for every stored track, stored with their scores beside file and CSV tags.")

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "musicnn weights (.safetensors, TensorFlow key names); default: the bundled MSD_musicnn.")
    var model: String?

    @Option(help: "Tags stored per track.")
    var top: Int = 5

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    @OptionGroup var partition: PartitionOption

    func run() throws {
        let summary = try TagStage(
            store: URL(fileURLWithPath: store), model: model.map { URL(fileURLWithPath: $0) }, top: top,
            partition: partition.partition
        )
        .run(progressMode: progress.mode)
        print(
            "tag run \(summary.runId) with musicnn \(summary.modelId): \(summary.tagged) tracks tagged, \(summary.skipped) already done, "
                + "\(summary.failures.count) failed\(partition.outsideNote(summary.outsidePartition))")
        for f in summary.failures { print("  \(f.track): \(f.reason)") }
        if !summary.failures.isEmpty { throw ExitCode(2) }
    }
}
