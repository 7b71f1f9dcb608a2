import ArgumentParser
import Foundation
import Pipeline

/// `stemtrace infer --store DIR --model FILE`
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Mid-level concepts, emotion outputs and effects of the RF-ResNet for every stored excerpt.",
        discussion: """
            Results are stored under the model's content hash; re-running with the same model skips done excerpts. \
            An excerpt that cannot be inferred (damaged record, too short for the model, NaN or infinite output) is \
            named and skipped; the command then exits with status 2.
            """)

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "RF-ResNet weights (.safetensors with PyTorch key names; see tools/convert_rfresnet.py).")
    var model: String

    @Option(help: "Excerpts per forward pass.")
    var batchSize: Int = 4

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    @OptionGroup var partition: PartitionOption

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let summary = try InferStage(
            store: URL(fileURLWithPath: store), model: URL(fileURLWithPath: model), batchSize: batchSize,
            partition: partition.partition
        )
        .run(progressMode: progress.mode)
        print(
            "infer run \(summary.runId) with model \(summary.modelId): \(summary.inferred) excerpts inferred, "
                + "\(summary.skipped) already done, \(summary.failures.count) failed"
                + "\(partition.outsideNote(summary.outsidePartition)), in " + String(format: "%.1f s", summary.seconds))
        for f in summary.failures { print("  \(f.track): \(f.reason)") }
        if !summary.failures.isEmpty { throw ExitCode(2) }
    }
}
