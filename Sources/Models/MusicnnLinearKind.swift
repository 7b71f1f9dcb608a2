import Core
import DSP
import Explain
import Foundation
import Inference
import Store

/// An explainable linear head on musicnn's embedding written by `stemtrace train`
/// (`concepts.weight`, `output.weight`): 7 concepts then 2 emotion outputs from the pooled
/// embedding of the bundled musicnn, which `infer` reads from the embedding cache.
public struct MusicnnLinearKind: ModelKind {
    public var name: ModelKindName { .musicnnLinear }
    public var summary: String { "a trained linear head (concepts.weight, output.weight)" }
    public func matches(tensorNames: Set<String>) -> Bool {
        tensorNames.contains("concepts.weight") && tensorNames.contains("output.weight")
    }
    public var frontEnd: String { MusicnnFrontEnd.identifier }
    public func labels(_ model: LoadedModel) throws -> [String: [String]] {
        let head = try MusicnnLinearModel(model)
        return ["concepts": head.conceptNames, "outputs": head.outputNames]
    }

    /// `model run`: `input` is pooled musicnn embeddings [N, embedding size]; writes `concepts` and `output`.
    public func run(_ model: LoadedModel, input x: Tensor) throws -> [String: Tensor] {
        let head = try MusicnnLinearModel(model)
        guard x.shape.count == 2, x.shape[1] == head.embeddingSize else {
            throw ModelUseError.invalid("'input' must be [N, \(head.embeddingSize)] embeddings, has shape \(x.shape)")
        }
        let values = try x.floats()
        var concepts: [Float] = []
        var output: [Float] = []
        for n in 0..<x.shape[0] {
            let r = head.predict(embedding: Array(values[(n * head.embeddingSize)..<((n + 1) * head.embeddingSize)]))
            concepts += r.concepts
            output += r.output
        }
        return [
            "concepts": Tensor(floats: concepts, shape: [x.shape[0], head.conceptNames.count]),
            "output": Tensor(floats: output, shape: [x.shape[0], head.outputNames.count]),
        ]
    }

    public func perturbationModel(_ model: LoadedModel) throws -> any PerturbationModel {
        try MusicnnLinearPerturbationModel(model)
    }

    public func excerptPredictor(_ model: LoadedModel) throws -> any ExcerptPredictor {
        let head = try MusicnnLinearModel(model)
        return MusicnnLinearExcerptPredictor(
            head: head, backbone: try MusicnnBackbone.weights(for: model), source: .musicnn(head.features))
    }
}

extension ModelKindName {
    public static let musicnnLinear = ModelKindName(rawValue: "musicnn-linear")
}

extension MusicnnLinearModel {
    /// The head of a loaded `musicnn-linear` file.
    public init(_ loaded: LoadedModel) throws(ModelError) {
        try self.init(tensors: loaded.tensors, metadata: loaded.metadata, path: loaded.url.path)
    }
}

/// `infer` with a trained head: the cached embeddings of its backbone, then the two layers.
struct MusicnnLinearExcerptPredictor: ExcerptPredictor {
    let head: MusicnnLinearModel
    let backbone: LoadedModel
    let source: EmbeddingSource
    var conceptNames: [String] { head.conceptNames }
    var outputNames: [String] { head.outputNames }
    var conceptToOutputWeights: [Float] { head.outputWeights }
    var input: ExcerptInput { .embedding(backbone: backbone, source: source) }

    func predict(_ inputs: [[Float]]) throws -> [(concepts: [Float], outputs: [Float])] {
        inputs.map {
            let r = head.predict(embedding: $0)
            return (r.concepts, r.output)
        }
    }
}

/// A trained explainable head on musicnn's embedding (`stemtrace train`) as a perturbation model:
/// each composed log-mel spectrogram goes through the bundled musicnn up to its pooled
/// penultimate embedding, then the two linear layers; targets are the concepts then the outputs,
/// and the emotion layer's weights give the two-level chain.
public struct MusicnnLinearPerturbationModel: PerturbationModel {
    public let id: String
    public let frontEnd = MusicnnComposableFrontEnd()
    public let record: ModelRecord?
    let backbone: MusicnnModel
    let head: MusicnnLinearModel

    public init(_ loaded: LoadedModel) throws {
        head = try MusicnnLinearModel(loaded)
        backbone = try MusicnnModel(weights: try MusicnnBackbone.weights(for: loaded).tensors)
        id = loaded.id
        record = try loaded.record()
    }

    public var targets: [ExplainTarget] {
        head.conceptNames.map { ExplainTarget(name: $0, kind: .concept) }
            + head.outputNames.map { ExplainTarget(name: $0, kind: .output) }
    }
    public var conceptToOutputWeights: [Float]? { head.outputWeights }

    public func predict(_ inputs: [MusicnnSpectrogram], threads: Int) async throws -> [Float] {
        var out: [Float] = []
        for logMel in inputs {
            let r = head.predict(
                embedding: head.embedding(backbone.predict(try MusicnnFrontEnd.patches(logMel), threads: threads)))
            out += r.concepts + r.output
        }
        return out
    }
}

/// The musicnn weights a trained head was fitted on: the bundled MSD_musicnn, checked against
/// the head's `backbone` metadata (a head on other features would silently mean nothing).
enum MusicnnBackbone {
    static func weights(for head: LoadedModel) throws -> LoadedModel {
        guard let url = MusicnnModel.bundledWeightsURL else {
            throw ModelUseError.invalid("the bundled musicnn weights are missing from this build")
        }
        let bundled = try LoadedModel(contentsOf: url)
        if let expected = head.metadata["backbone"], expected != bundled.id {
            throw ModelUseError.invalid(
                "\(head.url.path) was trained on musicnn weights \(expected.prefix(12)), not the bundled \(bundled.id.prefix(12))"
            )
        }
        return bundled
    }
}
