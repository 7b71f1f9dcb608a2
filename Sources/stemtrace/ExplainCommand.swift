import ArgumentParser
import Core
import DSP
import Foundation
import Models
import Pipeline

/// `stemtrace explain …`: audioLIME explanations over cached stems (`run`, the default), and
/// listenable evidence for one explanation (`listen`).
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain every stored prediction by sound sources with audioLIME, from the stems stored at ingest.",
        subcommands: [ExplainRunCommand.self, ExplainShowCommand.self, ExplainListenCommand.self],
        defaultSubcommand: ExplainRunCommand.self)
}

extension SignalConditioning: ExpressibleByArgument {}
extension ExplainSettings.TargetSelection: ExpressibleByArgument {}

/// `stemtrace explain [run] --store DIR --model FILE …`
struct ExplainRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Explain every stored excerpt (resumable; a setting that differs adds results beside the old ones).",
        discussion: """
            Components are the chosen separator's stems, optionally split into temporal segments. Masks are \
            exhaustive when 2^components ≤ --exhaustive-limit, otherwise --samples seeded random masks with the \
            first all ones. Each distinct mask is composed from cached spectra and run through the model once.
            """)

    @Option(help: "Store directory.")
    var store: String

    @Option(
        help:
            "Model weights (.safetensors): an RF-ResNet, a trained head (stemtrace train), or musicnn (its 50 tags are the targets; the word musicnn names the bundled weights)."
    )
    var model: String?

    @Option(
        help: ArgumentHelp(
            "An external model: a command with {input} and {output} (safetensors files), run without a shell.",
            discussion: "{input} holds float32 'input' N × 149 × 1252; the command writes float32 'output' N × targets."))
    var modelCommand: String?

    @Option(help: "Seconds the model command may take per batch.")
    var modelTimeout: Int = 600

    @Option(help: "Targets to explain: midlevel, emotion or all.")
    var target: ExplainSettings.TargetSelection = .all

    @Option(
        help:
            "Separator whose stems are the sources: its name (spleeter+bandsplit, spleeter, bandsplit) or an id prefix (default: the store's only separator)."
    )
    var separator: String?

    @Option(
        help:
            "Perturbation composition: normalized (peak-normalised, one frame grid), paper (also madmom's zero trimming) or raw.")
    var composition: SignalConditioning = .normalized

    @Option(help: "Equal-length temporal segments per stem.")
    var segments: Int = 1

    @Option(help: "Random masks when the masks are not exhaustive.")
    var samples: Int = 1000

    @Option(help: "Exhaustive masks up to this many (audioLIME: 1024).")
    var exhaustiveLimit: Int = 1024

    @Option(help: "Seed of the sampled masks.")
    var seed: UInt64 = 0

    @Option(help: "Perturbations per forward pass.")
    var batchSize: Int = 1

    @Option(
        help: ArgumentHelp(
            "Excerpts explained at once, each model pass on cores/lanes threads (default: one per core for a model file, 1 for --model-command).",
            discussion:
                "Results do not depend on it; memory grows with it (one model pass and one excerpt's perturbations per lane)."))
    var lanes: Int?

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    @OptionGroup var partition: PartitionOption

    func validate() throws {
        guard segments >= 1 else { throw ValidationError("--segments must be at least 1") }
        guard samples >= 2 else { throw ValidationError("--samples must be at least 2") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let lanes, lanes < 1 || lanes > ProcessorCount.available {
            // More lanes than cores would only hold more forward passes in memory (about 0.5 GB each).
            throw ValidationError("--lanes must be between 1 and the \(ProcessorCount.available) cores this process may use")
        }
        guard exhaustiveLimit >= 2 else { throw ValidationError("--exhaustive-limit must be at least 2") }
        guard (model == nil) != (modelCommand == nil) else {
            throw ValidationError("give exactly one of --model FILE and --model-command 'TEMPLATE'")
        }
        guard modelTimeout >= 1 else { throw ValidationError("--model-timeout must be at least 1 second") }
    }

    func run() async throws {
        var settings = ExplainSettings()
        settings.targets = target
        settings.separator = separator
        settings.composition = composition
        settings.segments = segments
        settings.samples = samples
        settings.exhaustiveLimit = exhaustiveLimit
        settings.seed = seed
        settings.batchSize = batchSize
        settings.lanes = lanes
        let perturbationModel: any PerturbationModel
        if let model {
            perturbationModel = try PerturbationModels.load(contentsOf: URL(fileURLWithPath: model))
        } else {
            perturbationModel = try await CommandPerturbationModel.connect(
                template: modelCommand ?? "", timeout: .seconds(modelTimeout))
        }
        let summary = try await ExplainStage(
            store: URL(fileURLWithPath: store), model: perturbationModel, settings: settings, partition: partition.partition
        )
        .run(progressMode: progress.mode)
        let t = summary.timing
        print(
            "explain run \(summary.runId), config \(summary.configId) (stems from \(summary.separatorId)): "
                + "\(summary.explained) excerpts explained, \(summary.skipped) already done, \(summary.failures.count) failed"
                + "\(partition.outsideNote(summary.outsidePartition)), "
                + "\(summary.modelInputs) model inputs, in " + String(format: "%.1f s", summary.seconds))
        let lanes =
            summary.lanes > 1
            ? " (summed over \(summary.lanes) lanes, \(summary.threadsPerLane) thread\(summary.threadsPerLane == 1 ? "" : "s") each)"
            : ""
        print(
            String(
                format: "time: model %.1f s, composition %.2f s, regression %.3f s, store I/O %.2f s",
                t.model, t.composition, t.regression, t.io) + lanes)
        for f in summary.failures { print("failed: \(f.track): \(f.reason)") }
        if !summary.failures.isEmpty { throw ExitCode(2) }
    }
}

/// `stemtrace explain listen --store DIR --track ID --target NAME --output DIR`
struct ExplainListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Write the excerpt, each stem and the sum of the top positive components of one explanation as WAV files.")

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "Track id (or an unambiguous prefix).")
    var track: String

    @Option(help: "Explained target, e.g. valence or rhythm_stability.")
    var target: String

    @Option(help: "Explanation config id (or prefix); default: the newest explanation of the target.")
    var config: String?

    @Option(help: "Positive components summed into top-components.wav.")
    var top: Int = 3

    @Option(help: "Output directory.")
    var output: String

    func run() throws {
        let written = try ExplanationAudio.write(
            store: URL(fileURLWithPath: store), track: track, target: target, config: config, top: top,
            to: URL(fileURLWithPath: output))
        print(
            "wrote \(written.files.count) files to \(written.directory.path) (config \(written.configId); "
                + "top components: \(written.topComponents.isEmpty ? "none positive" : written.topComponents.joined(separator: ", ")))"
        )
    }
}

/// `stemtrace explain show --store DIR --track ID [--config ID]`
struct ExplainShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One track's two-level explanation: each emotion's main mid-level feature and the sources behind it.")

    @Option(help: "Store directory.")
    var store: String

    @Option(help: "Track id (or an unambiguous prefix).")
    var track: String

    @Option(help: "Explanation config id (or prefix); default: the newest.")
    var config: String?

    func run() throws {
        let summary = try ExplanationSummary.load(store: URL(fileURLWithPath: store), track: track, config: config)
        for line in summary.lines() { print(line) }
    }
}
