import ArgumentParser
import Foundation
import Inference
import Models
import Pipeline

/// `stemtrace train --store DIR --output MODEL.safetensors`
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fit the explainable model's two linear layers on a frozen backbone's embedding from the store's labels.",
        discussion: """
            The mid-level layer is fitted on tracks with all 7 mid-level labels, the emotion layer on the predicted \
            concepts of tracks with arousal and valence labels; ridge regularisation is chosen per target by k-fold cross-validation \
            (folds keep each --group-column value together). The backbone is the bundled musicnn (default; writes a \
            musicnn-linear head) or an RF-ResNet checkpoint's conv trunk (--backbone rfresnet --checkpoint FILE; writes \
            the checkpoint with its two linear layers replaced). The model file works with infer and explain.
            """)

    @Option(help: "Store directory (with labels: stemtrace labels import).")
    var store: String

    @Option(help: "Model file to write (.safetensors).")
    var output: String

    @Option(help: "Cross-validation folds.")
    var folds: Int = 5

    @Option(help: "Seed of the fold assignment.")
    var seed: UInt64 = 0

    @Option(help: "Metadata column whose values stay in one fold (e.g. artist).")
    var groupColumn: String?

    @Option(help: "Backbone whose pooled embedding the layers read: musicnn or rfresnet (needs --checkpoint).")
    var backbone: String = "musicnn"

    @Option(help: "RF-ResNet checkpoint (.safetensors, PyTorch keys) whose conv trunk is the backbone.")
    var checkpoint: String?

    @Option(help: "musicnn features the layers read: penultimate (200-d) or pooled (1506-d max and mean over time).")
    var embedding: String?

    @Flag(help: "Mark the model as a demonstration model (reports and explain show say so beside its name).")
    var demonstration = false

    @Flag(
        help: ArgumentHelp(
            "Keep the shrunk fit of concepts with cross-validated R² ≤ 0.",
            discussion: "By default such a concept is its training mean, a constant with weight 0 in the emotion layer."))
    var keepUnlearnedConcepts = false

    @Flag(help: "One ridge α for all targets of a layer instead of one per target.")
    var sharedAlpha = false

    @Option(help: "Progress display: auto, bar, lines or none.")
    var progress: ProgressChoice = .auto

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        _ = try trainingBackbone()
    }

    func trainingBackbone() throws -> TrainingBackbone {
        switch backbone {
        case "musicnn":
            guard checkpoint == nil else { throw ValidationError("--checkpoint is for --backbone rfresnet") }
            guard let features = MusicnnLinearModel.Features(rawValue: embedding ?? "penultimate") else {
                throw ValidationError("--embedding must be penultimate or pooled")
            }
            return .musicnn(features)
        case "rfresnet":
            guard let checkpoint else { throw ValidationError("--backbone rfresnet needs --checkpoint FILE.safetensors") }
            guard embedding == nil else {
                throw ValidationError("--embedding is for --backbone musicnn; the RF-ResNet trunk's embedding is its pooled map")
            }
            return .rfresnet(checkpoint: URL(fileURLWithPath: checkpoint))
        default:
            throw ValidationError("--backbone must be musicnn or rfresnet, got '\(backbone)'")
        }
    }

    func run() throws {
        var stage = TrainStage(store: URL(fileURLWithPath: store), output: URL(fileURLWithPath: output))
        stage.folds = folds
        stage.seed = seed
        stage.groupColumn = groupColumn
        stage.backbone = try trainingBackbone()
        stage.alphaPerTarget = !sharedAlpha
        stage.demonstration = demonstration
        stage.keepUnlearnedConcepts = keepUnlearnedConcepts
        let summary = try stage.run(progressMode: progress.mode)
        print("mid-level layer (embedding → concepts), \(folds)-fold cross-validation:")
        print(summary.midlevel.table())
        if !summary.constantConcepts.isEmpty {
            print(
                "made constant (cross-validated R² ≤ 0, predicted by their training mean): "
                    + summary.constantConcepts.joined(separator: ", ") + "\n")
        }
        print("emotion layer (predicted concepts → arousal, valence):")
        print(summary.emotion.table())
        if summary.ungrouped > 0, let groupColumn {
            print("\(summary.ungrouped) tracks have no '\(groupColumn)' value and form groups of their own")
        }
        for (track, reason) in summary.withoutEmbedding.prefix(20) {
            print("left out (labelled, no embedding): track \(track.prefix(12)): \(reason)")
        }
        print(
            "wrote \(summary.modelURL.path) (model \(summary.modelId.prefix(12)); \(summary.embeddingsComputed) embeddings computed)"
        )
    }
}
