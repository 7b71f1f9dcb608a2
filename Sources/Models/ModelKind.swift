import Core
import Foundation
import Inference

/// One kind of model file stemtrace can run, and everything that depends on the kind: how a
/// file is recognised, the input it reads, its targets, its forward pass for `model run`, the
/// embeddings it computes as a frozen backbone, and what `infer`, `tag` and `explain` run. Each
/// kind is one file; `ModelKinds.registered` lists them. No code outside this layer asks which
/// kind a model is: it asks the kind for what it needs, and a kind that cannot serve a use
/// says so (`ModelUseError`).
public protocol ModelKind: Sendable {
    /// The name a model file declares in its `stemtrace.kind` metadata (and `models.kind`).
    var name: ModelKindName { get }
    /// What a file of this kind holds, for error messages ("an RF-ResNet (PyTorch keys)").
    var summary: String { get }
    /// True when the tensor names identify a file of this kind (for files without `stemtrace.kind`).
    func matches(tensorNames: Set<String>) -> Bool
    /// The input the model reads, as `models.front_end` records it (e.g. `mel:16000Hz:96x187`).
    var frontEnd: String { get }
    /// The model's label names by role (`concepts`, `outputs`, `tags`), as `models.labels` records them.
    func labels(_ model: LoadedModel) throws -> [String: [String]]
    /// True when files of this kind may come from `stemtrace train` with its cross-validation
    /// reports (`model info` says when one has none).
    var canCarryTrainingReport: Bool { get }
    /// `model run`: the forward pass on the file's `input` tensor, one tensor per model output.
    func run(_ model: LoadedModel, input: Tensor) throws -> [String: Tensor]
    /// The model as `explain` queries it.
    func perturbationModel(_ model: LoadedModel) throws -> any PerturbationModel
    /// The model as `infer` runs it over stored excerpts.
    func excerptPredictor(_ model: LoadedModel) throws -> any ExcerptPredictor
    /// The model as `tag` runs it over stored mixes.
    func tagger(_ model: LoadedModel) throws -> MusicnnTagger
    /// The function from a stored input array to the embedding `source`, with the network built
    /// once; nil when this kind does not compute that embedding. `sampleRate` is the rate of the
    /// stored excerpts (`Catalog.excerptSampleRate`).
    func embedder(_ model: LoadedModel, source: EmbeddingSource, sampleRate: Int) throws -> (
        @Sendable (Tensor) throws -> [Float]
    )?
}

extension ModelKind {
    public var canCarryTrainingReport: Bool { true }
    public func excerptPredictor(_ model: LoadedModel) throws -> any ExcerptPredictor {
        throw ModelUseError.unsupported(
            model: model.url.path, kind: name,
            use: "infer runs models with concepts and outputs (use `stemtrace tag` for musicnn)")
    }
    public func tagger(_ model: LoadedModel) throws -> MusicnnTagger {
        throw ModelUseError.unsupported(model: model.url.path, kind: name, use: "tag runs musicnn")
    }
    public func embedder(_ model: LoadedModel, source: EmbeddingSource, sampleRate: Int) throws -> (
        @Sendable (Tensor) throws -> [Float]
    )? {
        nil
    }
}

/// The name of a model kind: what `stemtrace.kind` and the catalog's `models.kind` hold.
public struct ModelKindName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// The model kinds stemtrace knows; adding a kind is one file and one line here.
public enum ModelKinds {
    public static let registered: [any ModelKind] = [RFResNetKind(), MusicnnKind(), MusicnnLinearKind()]

    /// The metadata key in which a model file declares its kind.
    public static let metadataKey = "stemtrace.kind"

    /// The kind a file declares, or else the one kind whose tensor names match. A declared name
    /// no kind has, no match, or several matches (an ambiguous file) is refused naming the file
    /// and the candidates.
    public static func recognise(
        tensorNames: Set<String>, metadata: [String: String], path: String
    ) throws(ModelError) -> any ModelKind {
        if let declared = metadata[metadataKey] {
            // Separator weights are not a prediction model: say where they belong.
            if declared == SpleeterWeights.kind {
                throw .unreadable(
                    path: path,
                    reason:
                        "these are spleeter separator weights, not a prediction model; use them with `ingest --separator spleeter --separator-model \(path)` or `separate`"
                )
            }
            guard let kind = registered.first(where: { $0.name.rawValue == declared }) else {
                let known = registered.map(\.name.rawValue).joined(separator: ", ")
                throw .unreadable(
                    path: path, reason: "declares model kind '\(declared)', which stemtrace does not know (known: \(known))")
            }
            return kind
        }
        let matching = registered.filter { $0.matches(tensorNames: tensorNames) }
        guard let kind = matching.first else {
            let summaries = registered.map(\.summary)
            let list =
                summaries.dropLast().joined(separator: ", ") + (summaries.count > 1 ? " nor " : "") + (summaries.last ?? "")
            throw .unreadable(path: path, reason: "neither \(list)")
        }
        guard matching.count == 1 else {
            let names = matching.map(\.name.rawValue).joined(separator: " and ")
            throw .unreadable(
                path: path,
                reason: "its tensor names match two model kinds (\(names)); declare one in the metadata key \(metadataKey)")
        }
        return kind
    }
}

/// A model's concepts and outputs for one stored excerpt input (what `infer` stores).
public protocol ExcerptPredictor: Sendable {
    var conceptNames: [String] { get }
    var outputNames: [String] { get }
    /// outputs × concepts, row-major: the linear layer joining concepts to outputs (the effects' weights).
    var conceptToOutputWeights: [Float] { get }
    /// What the predictor reads from the store.
    var input: ExcerptInput { get }
    /// Concepts then outputs for each prepared input.
    func predict(_ inputs: [[Float]]) throws -> [(concepts: [Float], outputs: [Float])]
}

/// The stored data an excerpt predictor reads.
public enum ExcerptInput: Sendable {
    /// A stored array of this kind with `rows` rows (e.g. spectrogram bands), turned into the
    /// model's input values by `prepare`.
    case array(kind: String, rows: Int, prepare: @Sendable (Tensor) throws -> [Float])
    /// A cached embedding (`EmbeddingCache`) of `backbone`.
    case embedding(backbone: LoadedModel, source: EmbeddingSource)
}
